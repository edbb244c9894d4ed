from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zoneops.common.files import SHOWN_INLINE, content_type
from zoneops.common.selectors import stored_file_for


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": database}, status=status
    )


@never_cache
@require_GET
def stored_file(request: HttpRequest, model: str, pk: int, field: str) -> HttpResponseBase:
    """An uploaded file, for a signed-in user who may view the record it belongs to; 404 for
    anyone else, as for a record out of his scope. Images are shown, anything else downloaded,
    under the name the user gave the file; the type is ours, never the browser's guess."""
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
