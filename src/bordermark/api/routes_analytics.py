"""``/api/v1/analytics``: statistics as JSON and CSV, charts as SVG/PNG, and HTML/PDF reports (staff only)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from bordermark.accounts import Principal
from bordermark.analytics import collect, compute, plots, report
from bordermark.analytics.stats import Tables
from bordermark.api.auth import CurrentUser, get_store
from bordermark.api.errors import forbidden, not_found
from bordermark.api.fastjson import JSONRoute

router = APIRouter(tags=["analytics"], route_class=JSONRoute)
TableName = Annotated[str, Path(max_length=60)]


_lock = threading.Lock()


def tables_for(request: Request, who: Principal) -> Tables:
    """Analytics span every holder, so right holders (scoped to their own data) may not read them.

    The tables are cached per process (``create_app(analytics_cache_s=...)``, 30 s by default): a page shows
    nine charts drawn from the same tables, and reading every case and record once per chart would be wasteful."""
    if not who.can_see_analytics:
        raise forbidden("analytics cover every holder; right holders see their own cases in the inbox")
    with _lock:
        cached = getattr(request.app.state, "analytics_cache", None)
        if cached is not None and time.monotonic() - cached[0] < request.app.state.analytics_cache_s:
            return cached[1]
        tables = compute(collect(get_store(request)))
        request.app.state.analytics_cache = (time.monotonic(), tables)
        return tables


@router.get("/analytics")
def summary(request: Request, who: CurrentUser) -> dict[str, Any]:
    """Every table: totals, detentions and seizures by dimension, hit rates, queue ages, deadlines."""
    t = tables_for(request, who)
    return {"totals": t.totals, **t.named()}


@router.get("/analytics/tables/{name}.csv")
def table_csv(request: Request, who: CurrentUser, name: TableName) -> Response:
    tables = tables_for(request, who).named()
    if name not in tables:
        raise not_found("table", name)
    return Response(report.table_csv(tables[name]), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@router.get("/analytics/plots/{name}.{fmt}")
def plot(request: Request, who: CurrentUser, name: TableName, fmt: Literal["svg", "png"]) -> Response:
    if name not in plots.PLOTS:
        raise not_found("plot", name)
    data = plots.render(tables_for(request, who), name, fmt)
    return Response(data, media_type="image/svg+xml" if fmt == "svg" else "image/png")


@router.get("/analytics/report.html")
def report_html(request: Request, who: CurrentUser) -> HTMLResponse:
    return HTMLResponse(report.html_report(tables_for(request, who), datetime.now(UTC)))


@router.get("/analytics/report.pdf")
def report_pdf(request: Request, who: CurrentUser) -> Response:
    return Response(report.pdf_report(tables_for(request, who), datetime.now(UTC)), media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="bordermark-report.pdf"'})
