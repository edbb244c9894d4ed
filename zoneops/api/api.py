"""The REST API at /api/v1/: one NinjaAPI that adds the router of every app that has one.

An app joins by defining `router` in its `api.py`; it is mounted at /api/v1/<app label>/.
Every error comes back as JSON: {"message": ..., "errors": [{"field": ..., "message": ...}]}.
"""

import logging
from http import HTTPStatus
from importlib import import_module
from importlib.util import find_spec
from typing import Annotated, Any, get_args, get_origin

from annotated_types import Ge, Le
from django.apps import apps
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from pydantic.fields import FieldInfo

from zoneops import __version__
from zoneops.api.auth import AUTH
from zoneops.api.checks import check_inputs
from zoneops.api.schemas import ErrorOut
from zoneops.common.exceptions import ApplicationError, validation_error_messages
from zoneops.common.inputs import MAX_ID
from zoneops.common.views import bad_request_message, body_too_big_message

logger = logging.getLogger(__name__)

# The errors an operation can answer, each in the shape ErrorOut, as the handlers below make them.
ERROR_DESCRIPTIONS = {
    400: "数据不符合业务规则（errors 指明字段）",
    401: "未登录或接口令牌无效",
    403: "无权执行此操作，或 CSRF 校验失败",
    404: "未找到该记录，或无权查看",
    409: "与已有记录冲突，或记录已被他人修改（version）",
    413: "请求体过大",
    422: "请求数据格式有误（errors 指明字段）",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _is_id(constraints: Any) -> bool:
    """The constraints of `Id` (zoneops.api.schemas): a number that names a record."""
    return any(isinstance(c, Ge) and c.ge == 1 for c in constraints) and any(
        isinstance(c, Le) and c.le == MAX_ID for c in constraints
    )


def _names_a_record(field: FieldInfo) -> bool:
    def walk(annotation: Any) -> bool:
        if get_origin(annotation) is Annotated and any(
            _is_id(getattr(meta, "metadata", ())) for meta in annotation.__metadata__
        ):
            return True
        return any(walk(argument) for argument in get_args(annotation))

    return _is_id(field.metadata) or walk(field.annotation)


def _query_fields(operation: Operation) -> list[FieldInfo]:
    fields = []
    for model in operation.models:
        if model.__ninja_param_source__ == "query":
            for field in model.model_fields.values():
                nested = getattr(field.annotation, "model_fields", None)  # a filter schema
                fields.extend(nested.values() if nested else [field])
    return fields


def operation_errors(operation: Operation) -> list[int]:
    """The error statuses `operation` can answer, read from what it takes: every operation may
    be refused its caller (401, 403); one that reads input may find it malformed (422) or
    against a rule (400); one that names a record by id (in its path or its query), or writes,
    may not find it (404); a write may meet a newer version or a duplicate (409); a body may be
    too big (413)."""
    sources = {model.__ninja_param_source__ for model in operation.models}
    writes = bool(set(operation.methods) & UNSAFE_METHODS)
    found = {401, 403} if operation.auth_callbacks else set()
    if sources:
        found |= {400, 422}
    if "path" in sources or writes or any(map(_names_a_record, _query_fields(operation))):
        found.add(404)
    if writes:
        found.add(409)
    if sources & {"body", "form", "file"}:
        found.add(413)
    return sorted(found)


class _ErrorResponse(Schema):
    """The wrapper ninja puts around a response model: its one field becomes a $ref."""

    response: ErrorOut


class ZoneOpsOpenAPISchema(OpenAPISchema):
    def responses(self, operation: Operation) -> dict[int, dict]:
        result = super().responses(operation)
        schema = self._create_schema_from_model(
            _ErrorResponse, by_alias=operation.by_alias, mode="serialization"
        )[0]
        for status in operation_errors(operation):
            result.setdefault(
                status,
                {
                    "description": f"{HTTPStatus(status).phrase}: {ERROR_DESCRIPTIONS[status]}",
                    "content": {self.api.renderer.media_type: {"schema": schema}},
                },
            )
        return result


class ZoneOpsAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ZoneOpsOpenAPISchema(self, path_prefix)


api = ZoneOpsAPI(
    title="ZoneOps API",
    version="v1",
    description="开发区运营服务平台 REST API. Bearer token (接口令牌) or the browser session.",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    openapi_extra={"info": {"x-zoneops-version": __version__}},
)
# Every operation's texts and dates are checked once its schemas have parsed them.
api.add_decorator(check_inputs)


def error_response(
    request: HttpRequest, status: int, message: str, errors: list | None = None
) -> HttpResponse:
    return api.create_response(request, {"message": message, "errors": errors or []}, status=status)


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return error_response(request, exc.status_code, exc.message, exc.errors)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = validation_error_messages(exc)
    return error_response(request, 400, errors[0]["message"] if errors else _("数据有误。"), errors)


def _field_of(location: list | tuple) -> str | None:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "payload")]
    return ".".join(parts) or None


def _schema_message(error: dict) -> str:
    """pydantic's English message for an input error, said in Chinese for the common kinds."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    messages = {
        "missing": _("必填"),
        "int_parsing": _("应为整数"),
        "int_type": _("应为整数"),
        "float_parsing": _("应为数字"),
        "decimal_parsing": _("应为数字"),
        "decimal_type": _("应为数字"),
        "finite_number": _("应为数字"),
        "int_from_float": _("应为整数"),
        "bool_parsing": _("应为 true 或 false"),
        "date_parsing": _("日期格式应为 YYYY-MM-DD"),
        "date_from_datetime_parsing": _("日期格式应为 YYYY-MM-DD"),
        "datetime_parsing": _("时间格式应为 ISO 8601"),
        "string_type": _("应为文本"),
        "string_unicode": _("包含无法保存的字符"),
        "json_invalid": _("请求体不是有效的 JSON"),
        "model_attributes_type": _("请求体格式有误"),
        "dict_type": _("请求体格式有误"),
        "list_type": _("应为列表"),
    }
    if kind in messages:
        return str(messages[kind])
    if kind in ("greater_than_equal", "greater_than"):
        return _("不能小于 %(limit)s") % {"limit": context.get("ge", context.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("不能大于 %(limit)s") % {"limit": context.get("le", context.get("lt"))}
    if kind == "string_too_short":
        return _("不能为空") if context.get("min_length") == 1 else _("太短")
    if kind == "string_too_long":
        return _("不能超过 %(n)s 个字") % {"n": context.get("max_length")}
    if kind == "enum":
        return _("可选值：%(values)s") % {"values": context.get("expected", "")}
    return str(error.get("msg", ""))


def _empty_body(exc: SchemaValidationError) -> bool:
    """No body at all where the operation reads one: ninja reports its whole payload missing."""
    return any(
        error.get("type") == "missing"
        and tuple(error.get("loc", ()))[:1] == ("body",)
        and len(error.get("loc", ())) == 2
        for error in exc.errors
    )


@api.exception_handler(SchemaValidationError)
def on_schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    if _empty_body(exc):
        return error_response(request, 400, _("请求体为空：请以 JSON 发送数据。"))
    errors = [
        {"field": _field_of(error.get("loc", ())), "message": _schema_message(error)}
        for error in exc.errors
    ]
    fields = "、".join(sorted({e["field"] for e in errors if e["field"]}))
    message = _("请求数据有误：%(fields)s") % {"fields": fields} if fields else _("请求数据有误。")
    return error_response(request, 422, message, errors)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, _("未登录或接口令牌无效。"))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, str(exc) or _("您没有执行此操作的权限。"))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, _("未找到该记录，或您无权查看。"))


# django-ninja's own English messages, said in Chinese.
NINJA_MESSAGES = {
    "CSRF check Failed": lambda: _("CSRF 校验失败：请刷新页面后重试；其他系统请使用接口令牌。"),
    "Cannot parse request body": lambda: _("请求体无法解析，请检查格式（应为 JSON）。"),
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = NINJA_MESSAGES.get(str(exc))
    return error_response(request, exc.status_code, message() if message else str(exc))


@api.exception_handler(RequestDataTooBig)
def on_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, body_too_big_message())


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Too many fields or files in a form, a malformed multipart body: the request, not the server.
    return error_response(request, 400, bad_request_message())


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    logger.warning("API integrity error on %s: %s", request.path, exc)
    return error_response(
        request, 409, _("保存失败：数据与已有记录冲突（如编号重复），未作任何修改。")
    )


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s", request.path)
    return error_response(request, 500, _("服务器内部错误，请稍后再试或联系管理员。"))


def _mount_app_routers() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("zoneops.") or config.label == "api":
            continue
        module_name = f"{config.name}.api"
        if find_spec(module_name) is None:
            continue
        router = getattr(import_module(module_name), "router", None)
        if router is not None:
            api.add_router(f"/{getattr(config, 'api_prefix', config.label)}/", router)


_mount_app_routers()
