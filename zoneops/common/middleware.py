"""Response headers every page and API answer carries: what the browser may load
(Content-Security-Policy) and, for the pages and answers that hold people's and enterprises'
data, that nothing may be stored by the browser or a proxy (Cache-Control: no-store).

The policy and the paths are settings (ZONEOPS_CSP, ZONEOPS_CSP_PATHS, ZONEOPS_NO_STORE_PATHS);
static files are served before this middleware runs (WhiteNoise) and keep their caching.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


def content_security_policy(path: str) -> str:
    """The policy for a path: ZONEOPS_CSP, with the sources ZONEOPS_CSP_PATHS adds under a
    path prefix (the back office's Alpine.js needs 'unsafe-eval')."""
    directives = {name: list(sources) for name, sources in settings.ZONEOPS_CSP.items()}
    for prefix, extra in settings.ZONEOPS_CSP_PATHS.items():
        if path.startswith(prefix):
            for name, sources in extra.items():
                directives.setdefault(name, []).extend(sources)
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request.path)
        if request.path.startswith(tuple(settings.ZONEOPS_NO_STORE_PATHS)):
            add_never_cache_headers(response)
        return response
