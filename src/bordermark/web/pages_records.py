"""Pages for the declaration and parcel inspection queues: ordered by score with reasons, a record's evidence
(goods lines, values, parties, route) and the inspection outcome form."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from bordermark.accounts import Principal
from bordermark.api import records_ops
from bordermark.api.auth import get_store
from bordermark.api.errors import ApiError
from bordermark.web.common import back, check_csrf, dashboard_extensions, page_user, register_nav, render

router = APIRouter(include_in_schema=False)
Kind = Annotated[Literal["declarations", "parcels"], Path()]
RecordId = Annotated[str, Path(max_length=200)]
register_nav("Parcel queue", "/queues/parcels", lambda p: not p.is_holder)
register_nav("Declaration queue", "/queues/declarations", lambda p: not p.is_holder)


def _tiles(request: Request, who: Principal) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for kind in records_ops.KINDS:
        total = records_ops.queue(get_store(request), who, kind, limit=1)["total"]
        out.append({"label": f"{kind.capitalize()} to inspect", "value": total, "href": f"/queues/{kind}",
                    "alert": bool(total)})
    return out


dashboard_extensions.append(_tiles)


@router.get("/queues/{kind}")
def record_queue(request: Request, kind: Kind, status: Annotated[str, Query(max_length=20)] = "open",
                 offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> Response:
    user = page_user(request)
    queue = records_ops.queue(get_store(request), user[0], kind, status=status, limit=50, offset=offset)
    return render(request, "record_queue.html", user, kind=kind, queue=queue, state=status, offset=offset)


@router.get("/records/{kind}/{record_id}")
def record_page(request: Request, kind: Kind, record_id: RecordId) -> Response:
    user = page_user(request)
    rec = records_ops.get_record(get_store(request), user[0], kind, record_id)
    return render(request, "record.html", user, kind=kind, rec=rec, can_inspect=user[0].can_work_cases,
                  case_profiles=_case_profiles())


def _case_profiles() -> list[dict[str, object]]:
    try:
        from bordermark.api.cases_ops import profile_list
    except ImportError:  # the cases package is not installed
        return []
    return profile_list()


@router.post("/records/{kind}/{record_id}/inspection")
def record_inspect(request: Request, kind: Kind, record_id: RecordId, csrf_token: Annotated[str, Form(max_length=200)],
                   outcome: Annotated[str, Form(max_length=20)],
                   note: Annotated[str, Form(max_length=20000)] = "") -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    try:
        records_ops.inspect(get_store(request), user[0], kind, record_id, outcome, note)
    except ApiError as exc:
        if exc.status in (403, 404):
            raise
        return back(f"/records/{kind}/{record_id}", err=exc.reason)
    return back(f"/records/{kind}/{record_id}", msg=f"inspection recorded: {outcome}")
