from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import (
    DisallowedHost,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
)
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zoneops.common.files import SHOWN_INLINE, content_type, megabytes
from zoneops.common.selectors import stored_file_for


@require_GET
def stored_file(request: HttpRequest, model: str, pk: int, field: str) -> HttpResponseBase:
    """An uploaded file, for a signed-in user who may view the record it belongs to; 404 for
    anyone else, as for a record out of his scope. Images are shown, anything else downloaded,
    under the name the user gave the file; the type is ours, never the browser's guess. Like
    every answer under /files/, it is not stored (ZONEOPS_NO_STORE_PATHS)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        stored, name = stored_file_for(user=request.user, model=model, pk=pk, field=field)
        handle = stored.storage.open(stored.name, "rb")
    except (ObjectDoesNotExist, PermissionDenied, FileNotFoundError) as error:
        raise Http404 from error
    kind = content_type(stored.name)
    response = FileResponse(
        handle, content_type=kind, as_attachment=kind not in SHOWN_INLINE, filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponseBase:
    """/favicon.ico, which browsers ask for whatever a page links to: the product's icon."""
    return HttpResponsePermanentRedirect(static("zoneops/favicon.svg"))


def body_too_big_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _("提交的内容过大（超过 %(limit)s MB），未作任何修改。") % {
        "limit": megabytes(limit or 0)
    }


def bad_request_message() -> str:
    """What a request the server could not read is told, at the API and on the pages alike."""
    return _("请求无法处理，未作任何修改：可能一次选中的记录过多，请减少后重试或检查所填内容。")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's answer to a request it could not read (handler400): a body over the upload limit
    says so (413), anything else says the request was not understood; nothing was changed."""
    if isinstance(exception, RequestDataTooBig):
        status, message = 413, body_too_big_message()
    else:
        status, message = 400, bad_request_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"message": message, "errors": []}, status=status)
    back = _page_came_from(request)
    start = "/enterprise/" if request.path.startswith("/enterprise/") else "/"
    context = {"message": message, "back": back or start, "came_back": bool(back)}
    return render(request, "400.html", context, status=status)


def _page_came_from(request: HttpRequest) -> str:
    """The page of this site the request was sent from (its Referer), for a link back that needs
    no script (the Content-Security-Policy runs none inline); "" for any other."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # the request was refused for its Host: trust nothing it says
        return ""
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    )
    return referer if referer and safe else ""
