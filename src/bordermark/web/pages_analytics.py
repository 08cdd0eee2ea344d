"""The analytics page: totals, charts (SVG drawn on the server) and tables, with CSV/HTML/PDF downloads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from bordermark.analytics import plots
from bordermark.api.errors import not_found
from bordermark.api.routes_analytics import tables_for
from bordermark.web.common import page_user, register_nav, render

router = APIRouter(include_in_schema=False)
register_nav("Analytics", "/analytics", lambda p: p.can_see_analytics)


@router.get("/analytics")
def analytics_page(request: Request) -> Response:
    user = page_user(request)
    tables = tables_for(request, user[0])
    return render(request, "analytics.html", user, tables=tables, named=tables.named(), plot_names=plots.PLOTS)


@router.get("/analytics/plots/{name}.svg")
def analytics_plot(request: Request, name: Annotated[str, Path(max_length=60)]) -> Response:
    user = page_user(request)
    if name not in plots.PLOTS:
        raise not_found("plot", name)
    return Response(plots.render(tables_for(request, user[0]), name, "svg"), media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


