"""JSONRoute sends the same bytes and status as FastAPI's own serialisation of an endpoint's value."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from bordermark.api.fastjson import JSONRoute

VALUE: dict[str, Any] = {
    "at": datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC), "naive": datetime(2026, 1, 2, 3, 4, 5),
    "day": date(2024, 1, 1), "money": Decimal("12.50"), "score": 0.1, "big": 2**70, "text": "阿尔法 é",
    "items": [1, (2, 3), None, True], "nested": {"k": [{"x": 1.5}]},
}


def _app(route_class: type | None) -> FastAPI:
    router = APIRouter(route_class=route_class) if route_class else APIRouter()

    @router.get("/one")
    def one() -> dict[str, Any]:
        return VALUE

    @router.post("/many", status_code=201)
    async def many() -> list[dict[str, Any]]:
        return [VALUE, {}]

    app = FastAPI()
    app.include_router(router)
    return app


@pytest.mark.anyio
async def test_same_bytes_status_and_schema_as_fastapi() -> None:
    plain, fast = _app(None), _app(JSONRoute)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(plain), base_url="http://t") as a, \
            httpx.AsyncClient(transport=httpx.ASGITransport(fast), base_url="http://t") as b:
        for method, path in (("GET", "/one"), ("POST", "/many")):
            ra, rb = await a.request(method, path), await b.request(method, path)
            assert (rb.status_code, rb.headers["content-type"], rb.content) == \
                   (ra.status_code, ra.headers["content-type"], ra.content)
    assert fast.openapi()["paths"] == plain.openapi()["paths"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
