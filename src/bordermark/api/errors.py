"""JSON errors with a reason, and handlers that turn every failure into the right status.

Why a catch-all: a 500 with a stack trace leaks internals and tells the client nothing; the handler logs the
trace and answers a short JSON body. The tests send hostile input to every route and expect 4xx, never 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("bordermark.api")

_CODES = {
    400: "bad_request", 401: "unauthorised", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_input",
    429: "too_many_requests", 500: "internal_error", 503: "unavailable",
}


class ApiError(Exception):
    """Raised by service adapters; becomes ``{"error": code, "reason": reason}`` with ``status``."""

    def __init__(self, status: int, reason: str, *, code: str | None = None,
                 headers: dict[str, str] | None = None, detail: Any = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.code = code or _CODES.get(status, "error")
        self.headers = headers
        self.detail = detail


def not_found(kind: str, ident: object) -> ApiError:
    return ApiError(404, f"no {kind} with id {ident!r} (or it is not visible to you)")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, reason)


def invalid(reason: str, detail: Any = None) -> ApiError:
    return ApiError(422, reason, detail=detail)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _body(status: int, reason: str, code: str | None = None, detail: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"error": code or _CODES.get(status, "error"), "reason": reason, "status": status}
    if detail is not None:
        out["detail"] = detail
    return out


def error_response(request: Request, status: int, reason: str, *, code: str | None = None,
                   detail: Any = None, headers: dict[str, str] | None = None) -> Response:
    if _wants_html(request):
        templates = getattr(request.app.state, "templates", None)
        if templates is not None:
            return templates.TemplateResponse(
                request, "error.html", {"status": status, "reason": reason, "user": None, "csrf": ""},
                status_code=status, headers=headers)
        return HTMLResponse(f"<h1>{status}</h1><p>{reason}</p>", status_code=status, headers=headers)
    return JSONResponse(jsonable_encoder(_body(status, reason, code, detail)), status_code=status,
                        headers=headers)


def _validation_reason(errors: list[Any]) -> str:
    parts = []
    for err in errors[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "request"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return error_response(request, exc.status, exc.reason, code=exc.code, detail=exc.detail,
                              headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        return error_response(request, 422, _validation_reason(errors), detail=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        reason = str(exc.detail) if exc.detail else _CODES.get(exc.status_code, "error")
        if exc.status_code == 404 and reason == "Not Found":
            reason = f"no such path: {request.url.path}"
        elif exc.status_code == 405:
            reason = f"method {request.method} is not allowed on {request.url.path}"
        return error_response(request, exc.status_code, reason, headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        log.info("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
        return error_response(request, 409, "the change conflicts with existing data (duplicate or still "
                                            "referenced)")

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> Response:
        log.info("data error on %s %s: %s", request.method, request.url.path, exc.orig)
        return error_response(request, 422, "a value does not fit the field it is stored in")

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> Response:
        log.error("database unavailable on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(request, 503, "the database is busy or unavailable; try again",
                              headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _last_resort(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal error; it has been logged")
