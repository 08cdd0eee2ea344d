"""``/api/v1/audit``: the hash-chained audit log (supervisors and administrators), and its verification."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from bordermark import audit
from bordermark.api.auth import CurrentUser, get_store
from bordermark.api.errors import forbidden
from bordermark.api.fastjson import JSONRoute

router = APIRouter(tags=["audit"], route_class=JSONRoute)
Filter = Annotated[str | None, Query(max_length=200)]


@router.get("/audit")
def list_audit(request: Request, who: CurrentUser, entity_type: Filter = None, entity_id: Filter = None,
               actor: Filter = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    """Audit entries, newest first, filtered by entity or actor."""
    if not who.can_read_audit:
        raise forbidden(f"role {who.role.value} may not read the audit log")
    with get_store(request).session() as s:
        return [e.to_dict() for e in audit.entries(s, entity_type=entity_type, entity_id=entity_id, actor=actor,
                                                   limit=limit, newest_first=True)]


@router.get("/audit/verify")
def verify_audit(request: Request, who: CurrentUser) -> dict[str, Any]:
    """Recompute the hash chain: ``ok`` is false when an entry was edited, inserted or deleted."""
    if not who.can_read_audit:
        raise forbidden(f"role {who.role.value} may not read the audit log")
    with get_store(request).session() as s:
        return audit.verify(s).to_dict()
