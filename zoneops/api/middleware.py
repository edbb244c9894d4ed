"""Every answer under /api/ is JSON, including the ones Django or ninja make before a handler
runs (an unknown path, a method the route does not take, an unexpected error page)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"

STATUS_MESSAGES = {
    404: lambda: _("接口不存在，请检查地址（接口文档：/api/v1/docs）。"),
    405: lambda: _("该接口不支持此请求方法。"),
}


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        message = STATUS_MESSAGES.get(response.status_code)
        text = (
            message()
            if message
            else _("请求失败（%(status)s）。") % {"status": response.status_code}
        )
        replaced = JsonResponse({"message": text, "errors": []}, status=response.status_code)
        if response.has_header("Allow"):
            replaced["Allow"] = response["Allow"]
        return replaced
