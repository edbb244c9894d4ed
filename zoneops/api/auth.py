"""REST API authentication: bearer tokens for systems, the session (with CSRF) for browsers."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from zoneops.api.services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user  # the data scope and permissions follow the token's user
        return user


class BrowserSessionAuth(SessionAuth):
    """The signed-in browser session; unsafe methods need the CSRF token."""

    def __call__(self, request: HttpRequest) -> Any | None:
        # Nobody signed in: say "not signed in" (401), not "CSRF failed" (403).
        if not getattr(request.user, "is_authenticated", False):
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


token_auth = TokenAuth()
session_auth = BrowserSessionAuth(csrf=True)
AUTH = [token_auth, session_auth]
