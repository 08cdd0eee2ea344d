"""The application factory: the REST API under ``/api/v1`` and the web pages, served by one process.

Why one process: officers and right holders use the pages, machines use the API, and both must apply the very
same holder scope and audit; one app with shared service adapters guarantees it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bordermark import __version__
from bordermark.accounts.ratelimit import LoginLimiter
from bordermark.api import errors, routes_accounts, routes_registry
from bordermark.api.auth import TokenCache
from bordermark.api.records_ops import RuleCache
from bordermark.store import Store

log = logging.getLogger("bordermark.api")
API_PREFIX = "/api/v1"
WEB_DIR = Path(__file__).resolve().parent.parent / "web"

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
     b"frame-ancestors 'none'; base-uri 'self'; form-action 'self'"),
]


class GuardMiddleware:
    """Rejects NUL bytes in the URL (PostgreSQL cannot store them) and adds security headers to every reply."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = scope.get("path", "") + "?" + scope.get("query_string", b"").decode("latin-1")
        if "\x00" in raw or "%00" in raw:
            body = b'{"error":"bad_request","reason":"NUL characters are not allowed in the URL","status":400}'
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"application/json"), *SECURITY_HEADERS]})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _optional_modules(package: str, names: tuple[str, ...]) -> list[Any]:
    """Route modules over services that land separately (screening, cases, analytics); skipped if absent."""
    import importlib

    found = []
    for name in names:
        try:
            found.append(importlib.import_module(f"{package}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(f"{package}.{name}"):
                continue
            log.warning("routes %s.%s unavailable: %s", package, name, exc)
    return found


def routers() -> list[tuple[str, APIRouter]]:
    """Every router of the app with its prefix. Routers are included flat (never nested) so that
    :func:`iter_routes` sees every route: the holder-scope test walks it to prove no endpoint escapes."""
    from bordermark.web import pages

    api_modules = [routes_accounts, routes_registry,
                   *_optional_modules("bordermark.api", ("routes_audit", "routes_screen", "routes_records",
                                                         "routes_cases", "routes_analytics"))]
    page_modules = [pages, *_optional_modules("bordermark.web", ("pages_admin", "pages_screen", "pages_records",
                                                                 "pages_cases", "pages_analytics"))]
    return [*((API_PREFIX, m.router) for m in api_modules), *(("", m.router) for m in page_modules)]


def iter_routes() -> list[tuple[str, str, APIRoute]]:
    """(method, full path, route) for every endpoint of the app."""
    out = []
    for prefix, router in routers():
        for route in router.routes:
            if not isinstance(route, APIRoute):
                raise TypeError(f"nested router in {prefix or '/'}: include routers flat in routers()")
            for method in sorted(route.methods or ()):
                out.append((method, prefix + route.path, route))
    return out


def _targeting_model() -> Any:
    """The online targeting scorer when BORDERMARK_TARGETING_MODEL names a model directory (loaded once)."""
    from bordermark.settings import get_settings

    path = get_settings().targeting_model
    if path is None:
        return None
    try:
        from bordermark.targeting import OnlineScorer

        return OnlineScorer(path)
    except Exception:
        log.exception("targeting model %s could not be loaded; declarations are scored by rules only", path)
        return None


API_THREADS = 8
"""Threads per worker process running the (synchronous) endpoints. Fewer than anyio's default 40: on a small
machine 40 threads only fight over the GIL and the connection pool, so a request holding the audit chain's head
lock waits behind the others for the GIL and every writer queues behind it. Extra requests wait in the event
loop instead, which costs nothing."""


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = API_THREADS
    yield


def create_app(store: Store, *, login_limiter: LoginLimiter | None = None, secure_cookies: bool = False,
               analytics_cache_s: float = 30.0) -> FastAPI:
    """Build the app over an open (migrated) store. ``secure_cookies`` marks cookies Secure (behind HTTPS)."""
    app = FastAPI(
        title="Bordermark",
        version=__version__,
        description="Stop counterfeit goods in cross-border e-commerce: registry, screening, queues, cases.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # Swagger UI loads assets from a CDN; the machine may be offline
        redoc_url=None,
        lifespan=_lifespan,
        # FastAPI's built-in OpenTelemetry hooks: nothing here configures a provider, yet with them on every
        # request asked OpenTelemetry for its tracer provider several times (~5 % of the server's CPU).
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.store = store
    app.state.login_limiter = login_limiter or LoginLimiter()
    app.state.secure_cookies = secure_cookies
    app.state.analytics_cache_s = analytics_cache_s
    app.state.rule_cache = RuleCache()
    app.state.token_cache = TokenCache()
    app.state.targeting_model = _targeting_model()
    errors.install(app)
    from bordermark.web import pages

    for prefix, router in routers():
        app.include_router(router, prefix=prefix)
    app.state.templates = pages.templates
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    pages.install(app)
    app.add_middleware(GuardMiddleware)
    return app


def app_from_settings() -> FastAPI:
    """Factory for ``uvicorn --factory`` and multi-worker serving: the store named by the settings."""
    from bordermark.store import open_store

    return prepare_server_process(create_app(open_store()))


def prepare_server_process(app: FastAPI) -> FastAPI:
    """Call once in a process that only serves ``app``: its long-lived heap (framework, models, later the
    screening tables) leaves the garbage collector's scans, so full collections stay short (200-340 ms with the
    GIL held before, stalling every request of the worker; see ``RuleCache._freeze_once``)."""
    import gc

    app.state.rule_cache.freeze_heap = True
    gc.collect()
    gc.freeze()
    return app
