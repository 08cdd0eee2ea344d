"""Who is calling: a bearer API token (machines) or a session cookie (people, pages), with CSRF for cookies.

Why CSRF only for cookies: a browser attaches cookies to cross-site requests on its own, so a state change
made with a cookie must also present the session's CSRF token (form field or ``X-CSRF-Token`` header). A bearer
token is never sent automatically, so it needs no CSRF token.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from bordermark.accounts import Principal, resolve_session, resolve_token
from bordermark.api.errors import ApiError
from bordermark.store import Store

SESSION_COOKIE = "bm_session"
LOGIN_CSRF_COOKIE = "bm_login_csrf"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def session_principal(request: Request) -> tuple[Principal, str] | None:
    """The principal and CSRF token of the session cookie, or None (cached on the request)."""
    if hasattr(request.state, "session_principal"):
        cached: tuple[Principal, str] | None = request.state.session_principal
        return cached
    secret = request.cookies.get(SESSION_COOKIE)
    found = None
    if secret and len(secret) < 200:
        with get_store(request).session() as s:
            found = resolve_session(s, secret)
    request.state.session_principal = found
    return found


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def api_principal(request: Request) -> Principal:
    """Dependency for every ``/api/v1`` route except login: 401 without valid credentials."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or len(token) > 200:
            raise ApiError(401, "Authorization header must be 'Bearer <token>'",
                           headers={"WWW-Authenticate": "Bearer"})
        with get_store(request).session() as s:
            principal = resolve_token(s, token.strip())
        if principal is None:
            raise ApiError(401, "invalid or revoked API token", headers={"WWW-Authenticate": "Bearer"})
        return principal
    found = session_principal(request)
    if found is None:
        raise ApiError(401, "log in or send an API token ('Authorization: Bearer <token>')",
                       headers={"WWW-Authenticate": "Bearer"})
    principal, csrf = found
    if request.method not in SAFE_METHODS and not csrf_ok(csrf, request.headers.get("x-csrf-token")):
        raise ApiError(403, "missing or wrong X-CSRF-Token header for a cookie-authenticated change")
    return principal


CurrentUser = Annotated[Principal, Depends(api_principal)]
