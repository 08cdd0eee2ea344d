"""``/api/v1/cases``: open cases, read them (audited), record events, deadlines with working-day countdowns, and
the right holder's inbox."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from bordermark.api import cases_ops as ops
from bordermark.api.auth import CurrentUser, get_store
from bordermark.api.fastjson import JSONRoute
from bordermark.api.schemas import Code, Currency, Long, Short

router = APIRouter(tags=["cases"], route_class=JSONRoute)
CaseId = Annotated[str, Path(max_length=40)]
Scalar = Annotated[str, Field(max_length=2000)] | float | int | bool | None


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    profile: Code
    rights: list[Code] = Field(min_length=1, max_length=20)
    goods_kind: Literal["declaration", "parcel", "listing", "stock"]
    goods_id: Short
    goods_value: Annotated[float, Field(ge=0, le=1e12)] | Annotated[str, Field(max_length=30)]
    currency: Currency
    holder_id: Code | None = None
    facts: dict[Annotated[str, Field(max_length=60)], Scalar] = Field(default_factory=dict, max_length=50)


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: Code
    data: dict[Annotated[str, Field(max_length=60)], Scalar] = Field(default_factory=dict, max_length=50)
    expected_version: Annotated[int, Field(ge=0, le=2**31)] | None = None
    note: Long = ""


def _no_nul(payload: BaseModel) -> None:
    from bordermark.api.errors import invalid

    if "\\u0000" in payload.model_dump_json():
        raise invalid("NUL characters are not allowed")


@router.get("/cases/profiles")
def case_profiles(who: CurrentUser) -> list[dict[str, Any]]:
    """Procedure profiles cases can be opened under (jurisdiction, currency)."""
    return ops.profile_list()


@router.get("/cases")
def list_cases(request: Request, who: CurrentUser, state: Annotated[str | None, Query(max_length=40)] = None,
               open_only: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 200) -> list[dict[str, Any]]:
    with get_store(request).session() as s:
        return ops.list_cases(s, who, state=state, open_only=open_only, limit=limit)


@router.post("/cases", status_code=201)
def open_case(request: Request, who: CurrentUser, body: CaseIn) -> dict[str, Any]:
    _no_nul(body)
    with get_store(request).session() as s:
        return ops.open_case(s, who, profile=body.profile, mark_ids=body.rights, goods_kind=body.goods_kind,
                             goods_id=body.goods_id, goods_value=body.goods_value, currency=body.currency.upper(),
                             holder_id=body.holder_id, facts=dict(body.facts))


@router.get("/cases/{case_id}")
def get_case(request: Request, who: CurrentUser, case_id: CaseId) -> dict[str, Any]:
    """The case with its timeline, deadlines (working days left) and the actions the caller may take now."""
    with get_store(request).session() as s:
        return ops.get_case(s, who, case_id)


@router.post("/cases/{case_id}/events", status_code=201)
def case_event(request: Request, who: CurrentUser, case_id: CaseId, body: EventIn) -> dict[str, Any]:
    """Record an event; refused with 409 and the reason when the procedure does not allow it now."""
    _no_nul(body)
    data = dict(body.data)
    if body.note:
        data["note"] = body.note
    with get_store(request).session() as s:
        return ops.apply_event(s, who, case_id, body.event, data, body.expected_version)


@router.get("/deadlines")
def deadlines(request: Request, who: CurrentUser,
              limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict[str, Any]]:
    """Open legal deadlines of the caller's visible cases, soonest first, with working days left."""
    with get_store(request).session() as s:
        return ops.upcoming_deadlines(s, who, limit=limit)


@router.get("/inbox")
def inbox(request: Request, who: CurrentUser) -> list[dict[str, Any]]:
    """Open cases waiting for the caller (a right holder: confirm or reject suspected goods, post a guarantee)."""
    with get_store(request).session() as s:
        out = []
        for c in ops.list_cases(s, who, open_only=True, limit=500):
            events = ops.actions_for(who, ops.service.allowed_events(s, c["id"]))
            if events:
                out.append({**c, "actions": events})
        return out
