"""Case pages: the case list, a case with its timeline, deadline countdowns in working days and the allowed next
actions, opening a case from a queue item, and the right holder's inbox."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from bordermark.accounts import Principal
from bordermark.api import cases_ops
from bordermark.api.auth import get_store
from bordermark.api.errors import ApiError
from bordermark.web.common import back, check_csrf, dashboard_extensions, page_user, register_nav, render

router = APIRouter(include_in_schema=False)
CaseId = Annotated[str, Path(max_length=40)]
Csrf = Annotated[str, Form(max_length=200)]
register_nav("Cases", "/cases", lambda p: not p.is_holder)
register_nav("Inbox", "/inbox", lambda p: p.is_holder)


def _tiles(request: Request, who: Principal) -> list[dict[str, object]]:
    with get_store(request).session() as s:
        open_cases = cases_ops.list_cases(s, who, open_only=True, limit=500)
    tiles: list[dict[str, object]] = [{"label": "Open cases", "value": len(open_cases),
                                       "href": "/inbox" if who.is_holder else "/cases"}]
    return tiles


dashboard_extensions.append(_tiles)


@router.get("/cases")
def case_list(request: Request) -> Response:
    user = page_user(request)
    with get_store(request).session() as s:
        cases = cases_ops.list_cases(s, user[0], limit=200)
    return render(request, "case_list.html", user, cases=cases, title="Cases")


@router.get("/inbox")
def inbox(request: Request) -> Response:
    user = page_user(request)
    with get_store(request).session() as s:
        cases = cases_ops.list_cases(s, user[0], open_only=True, limit=200)
        waiting = [c for c in cases
                   if cases_ops.actions_for(user[0], cases_ops.service.allowed_events(s, c["id"]))]
    return render(request, "case_list.html", user, cases=waiting, title="Inbox: decisions waiting for you")


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: CaseId) -> Response:
    user = page_user(request)
    with get_store(request).session() as s:
        case = cases_ops.get_case(s, user[0], case_id)
    return render(request, "case.html", user, case=case)


def _data_from_form(form: dict[str, Any]) -> dict[str, Any]:
    return {k[5:]: v for k, v in form.items() if k.startswith("data_") and isinstance(v, str) and v.strip()}


@router.post("/cases/{case_id}/events")
async def case_event(request: Request, case_id: CaseId) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str) and len(v) <= 20000 and "\x00" not in v}
    return await _run(request, case_id, fields)


async def _run(request: Request, case_id: str, fields: dict[str, Any]) -> Response:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_apply, request, case_id, fields)


def _apply(request: Request, case_id: str, fields: dict[str, Any]) -> Response:
    user = page_user(request)
    check_csrf(request, user[1], fields.get("csrf_token"))
    event = str(fields.get("event", ""))[:64]
    try:
        version = int(fields["expected_version"]) if fields.get("expected_version") else None
    except ValueError:
        version = None
    data = _data_from_form(fields)
    if fields.get("note"):
        data["note"] = fields["note"]
    try:
        with get_store(request).session() as s:
            cases_ops.apply_event(s, user[0], case_id, event, data, version)
    except ApiError as exc:
        if exc.status == 404:
            raise
        return back(f"/cases/{case_id}", err=exc.reason)
    return back(f"/cases/{case_id}", msg=f"recorded: {event.replace('_', ' ')}")


@router.post("/cases")
def case_open(request: Request, csrf_token: Csrf, profile: Annotated[str, Form(max_length=64)],
              goods_kind: Annotated[str, Form(max_length=20)], goods_id: Annotated[str, Form(max_length=200)],
              rights: Annotated[str, Form(max_length=2000)], goods_value: Annotated[str, Form(max_length=30)],
              currency: Annotated[str, Form(max_length=3)], back_to: Annotated[str, Form(max_length=300)] = "/cases",
              ) -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    target = back_to if back_to.startswith("/") and not back_to.startswith("//") else "/cases"
    try:
        with get_store(request).session() as s:
            case = cases_ops.open_case(s, user[0], profile=profile, mark_ids=[r for r in rights.split(",") if r],
                                       goods_kind=goods_kind, goods_id=goods_id, goods_value=goods_value,
                                       currency=currency.upper(), holder_id=None, facts={})
    except ApiError as exc:
        if exc.status in (403, 404):
            raise
        return back(target, err=exc.reason)
    return back(f"/cases/{case['id']}", msg="case opened: release suspended, right holder notified")
