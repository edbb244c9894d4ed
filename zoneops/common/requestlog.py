"""Structured logs: every line of a request carries its request id and its user, and each
request ends with one access line (method, path, status, duration in ms).

The request id is the trusted proxy's X-Request-ID when it sends one (`zoneops serve` drops the
header from any other peer: `trusted_request_id`), else generated here; it is echoed in the
answer's X-Request-ID. The id and the request live in context variables (one per thread or
task), which `RequestContextFilter` copies onto every log record; the formatter is JSON lines
(`ZONEOPS_LOG_FORMAT=json`, the default of `zoneops serve`) or text.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _printable(text: str) -> str:
    """The text with its control characters written as \\xNN."""
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


# What a proxy's id may look like (nginx's $request_id is 32 hex digits, others send a UUID):
# anything else is replaced, so a log line never carries a client's text as its id.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
# Probes and static files are not worth a line each.
QUIET_PATHS = ("/healthz", "/readyz")

access_log = logging.getLogger("zoneops.access")

_request_id: ContextVar[str | None] = ContextVar("zoneops_request_id", default=None)
_request: ContextVar[HttpRequest | None] = ContextVar("zoneops_request", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def request_user(request: HttpRequest | None, *, resolve: bool = False) -> tuple[Any, str]:
    """(id, username) of the request's user, or (None, "") for nobody; the session's user is
    looked up only when `resolve` or when the request has looked him up already."""
    if request is None:
        return None, ""
    user = request.__dict__.get("user")
    if user is None:
        return None, ""
    if getattr(user, "_wrapped", None) is empty and not resolve:
        return None, ""
    if not getattr(user, "is_authenticated", False):
        return None, ""
    return user.pk, user.get_username()


class RequestContextFilter(logging.Filter):
    """Puts the request id and the user on every record (blank outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or "-"
        if not hasattr(record, "user_id"):
            user_id, username = request_user(_request.get())
            record.user_id = user_id
            record.username = username or "-"
        return True


class JsonLinesFormatter(JsonFormatter):
    """One JSON object a line: time, level, logger, message, request id, user and any extra."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "fmt",
            "%(asctime)s %(levelname)s %(name)s %(message)s "
            "%(request_id)s %(user_id)s %(username)s",
        )
        kwargs.setdefault(
            "rename_fields",
            {"asctime": "time", "levelname": "level", "name": "logger", "username": "user"},
        )
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """ISO 8601 with the offset (2026-12-07T10:15:02.114+08:00): a collector needs no guess."""
        moment = datetime.fromtimestamp(record.created).astimezone()
        return moment.isoformat(timespec="milliseconds")


def _request_id_from(request: HttpRequest) -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    return offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


class RequestLogMiddleware:
    """First in the chain: the request id, the context for the log lines, the access line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        request_finished.connect(_forget_request, dispatch_uid="zoneops.requestlog.finished")
        self.quiet = (*QUIET_PATHS, "/" + settings.STATIC_URL.lstrip("/"))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _request_id_from(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        # Kept until the answer is closed (request_finished), not only while the middleware
        # runs: Django logs a 4xx after the middleware chain has returned.
        _request_id.set(request_id)
        _request.set(request)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        if not request.path.startswith(self.quiet):
            self._access(request, response, started)
        return response

    def _access(self, request: HttpRequest, response: HttpResponse, started: float) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        user_id, username = request_user(request, resolve=True)
        access_log.info(
            "%s %s %s %sms",
            request.method,
            _printable(request.path),  # a newline in it cannot forge a log line
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                # The user as the request ended (a login sets him during the request).
                "user_id": user_id,
                "username": username or "-",
            },
        )


def _forget_request(**kwargs: Any) -> None:
    """The request is over: the thread's next log lines belong to no request."""
    _request_id.set(None)
    _request.set(None)


def trusted_request_id(
    application: Callable[..., Iterable[bytes]], trusted_proxy: str | None
) -> Callable[..., Iterable[bytes]]:
    """WSGI wrapper for `zoneops serve`, outside waitress's proxy handling (which rewrites
    REMOTE_ADDR): X-Request-ID is kept only from the trusted proxy's own connection."""

    def gate(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not trusted_proxy or trusted_proxy not in ("*", environ.get("REMOTE_ADDR")):
            environ.pop("HTTP_X_REQUEST_ID", None)
        return application(environ, start_response)

    return gate
