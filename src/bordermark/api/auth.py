"""Who is calling: a bearer API token (machines) or a session cookie (people, pages), with CSRF for cookies.

Why CSRF only for cookies: a browser attaches cookies to cross-site requests on its own, so a state change
made with a cookie must also present the session's CSRF token (form field or ``X-CSRF-Token`` header). A bearer
token is never sent automatically, so it needs no CSRF token.
"""

from __future__ import annotations

import hmac
import threading
import time
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

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
            found = resolve_session(s, secret, cached=True)
    request.state.session_principal = found
    return found


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


class TokenCache:
    """Resolved API tokens for a few seconds, so a busy client does not cost a database lookup per request.

    A revocation through this process applies at once (:meth:`forget`); through another worker process it
    applies within ``ttl_s``.
    """

    def __init__(self, ttl_s: float = 5.0, max_entries: int = 10_000) -> None:
        self.ttl_s, self.max_entries = ttl_s, max_entries
        self._items: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Principal | None:
        with self._lock:
            found = self._items.get(token)
        if found and time.monotonic() - found[0] < self.ttl_s:
            return found[1]
        return None

    def put(self, token: str, principal: Principal) -> None:
        with self._lock:
            if len(self._items) >= self.max_entries:
                self._items.clear()
            self._items[token] = (time.monotonic(), principal)

    def forget(self, user_id: int | None = None) -> None:
        with self._lock:
            if user_id is None:
                self._items.clear()
            else:
                self._items = {k: v for k, v in self._items.items() if v[1].user_id != user_id}


def _token_principal(request: Request, token: str) -> Principal | None:
    with get_store(request).session() as s:
        return resolve_token(s, token)


async def api_principal(request: Request) -> Principal:
    """Dependency for every ``/api/v1`` route except login: 401 without valid credentials.

    Why ``async``: a synchronous dependency costs a thread-pool hop (and a GIL hand-over) on every request, yet
    almost every call is answered from the token cache; only a cache miss goes to the database, in a thread.
    """
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or len(token) > 200:
            raise ApiError(401, "Authorization header must be 'Bearer <token>'",
                           headers={"WWW-Authenticate": "Bearer"})
        token = token.strip()
        cache: TokenCache = request.app.state.token_cache
        principal = cache.get(token)
        if principal is None:
            principal = await run_in_threadpool(_token_principal, request, token)
            if principal is not None:
                cache.put(token, principal)
        if principal is None:
            raise ApiError(401, "invalid or revoked API token", headers={"WWW-Authenticate": "Bearer"})
        return principal
    found = await run_in_threadpool(session_principal, request)
    if found is None:
        raise ApiError(401, "log in or send an API token ('Authorization: Bearer <token>')",
                       headers={"WWW-Authenticate": "Bearer"})
    principal, csrf = found
    if request.method not in SAFE_METHODS and not csrf_ok(csrf, request.headers.get("x-csrf-token")):
        raise ApiError(403, "missing or wrong X-CSRF-Token header for a cookie-authenticated change")
    return principal


CurrentUser = Annotated[Principal, Depends(api_principal)]
