"""JSON answers without FastAPI's per-request response validation.

Why: an endpoint annotated ``-> dict[str, Any]`` makes FastAPI validate the returned value against that type
before serialising it, and for a synchronous endpoint it does so in a second thread-pool hop (one more GIL
hand-over per request). The annotation promises nothing a validation could catch (``Any``), so
:class:`JSONRoute` serialises the endpoint's value itself with the very serializer FastAPI would have used
(pydantic's, in Rust), inside the endpoint's own thread. The bytes on the wire are identical, the status code is
the route's, and the OpenAPI schema still comes from the annotation.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from pydantic import TypeAdapter
from starlette.responses import Response

_ANY: TypeAdapter[Any] = TypeAdapter(Any)


def json_response(data: Any, status_code: int = 200) -> Response:
    """``data`` as FastAPI's default serialisation would send it (pydantic's JSON mode)."""
    return Response(_ANY.dump_json(data), status_code=status_code, media_type="application/json")


def _wrap(endpoint: Callable[..., Any], status_code: int) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):
        @functools.wraps(endpoint)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            out = await endpoint(*args, **kwargs)
            return out if isinstance(out, Response) else json_response(out, status_code)

        return run_async

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        out = endpoint(*args, **kwargs)
        return out if isinstance(out, Response) else json_response(out, status_code)

    return run


class JSONRoute(APIRoute):
    """An API route whose endpoint's value is serialised in the endpoint's thread, without validation."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _wrap(endpoint, kwargs.get("status_code") or 200), **kwargs)
