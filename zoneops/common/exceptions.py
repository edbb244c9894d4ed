"""Errors that services raise once and the edges (admin, pages, API, CLI) turn into messages."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A refused action with a message for the user; `field` names the input at fault.
    `errors`, when given, are the several reasons in the API's shape ({field, message, ...})."""

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str = "invalid",
        errors: list[dict[str, Any]] | None = None,
    ):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.code = code
        self.reasons = errors

    @property
    def errors(self) -> list[dict[str, Any]]:
        # Read when answered: an edge may rename `field` on the way (api.lookups.payload_names).
        return self.reasons or [{"field": self.field, "message": self.message}]


class PermissionDeniedError(ApplicationError):
    status_code = 403

    def __init__(self, message: str | None = None, *, field: str | None = None):
        super().__init__(
            message or str(_("您没有执行此操作的权限。")), field=field, code="forbidden"
        )


class TooLargeError(ApplicationError):
    """What was sent is larger than the limit for it (an upload, a body): 413 at the API."""

    status_code = 413

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message, field=field, code="too_large")


class StaleEditError(ApplicationError):
    """Someone else saved the record after this edit was started."""

    status_code = 409

    def __init__(self, *, label: str, current_version: int):
        super().__init__(
            str(
                _(
                    "“%(label)s”已被他人修改（当前版本 %(version)s），您的修改未保存。"
                    "请刷新后在最新内容上重新修改。"
                )
                % {"label": label, "version": current_version}
            ),
            field="version",
            code="stale",
        )
        self.current_version = current_version


def validation_error_messages(error: ValidationError) -> list[dict[str, str | None]]:
    """Flatten a Django ValidationError into [{field, message}] for the API and the CLI."""
    if hasattr(error, "error_dict"):
        return [
            {"field": None if field == "__all__" else field, "message": str(message)}
            for field, errors in error.message_dict.items()
            for message in errors
        ]
    return [{"field": None, "message": str(message)} for message in error.messages]


@contextmanager
def naming(item: Any) -> Iterator[None]:
    """A refusal about one of several records taken in one step says which it is about
    (“<item>”：<message>); a stale edit says so itself."""
    try:
        yield
    except StaleEditError:
        raise
    except ApplicationError as error:
        error.message = f"“{item}”：{error.message}"
        error.args = (error.message,)
        raise
