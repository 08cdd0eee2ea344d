"""The one place where the API and pages write to the audit log (``bordermark.audit.append``)."""

from __future__ import annotations

from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy.orm import Session

from bordermark import audit
from bordermark.accounts import Principal


def record(session: Session, who: Principal | str, action: str, entity_type: str, entity_id: object,
           before: Any = None, after: Any = None) -> None:
    """Append an audit entry in the caller's transaction, so the change and its record commit together."""
    actor = who if isinstance(who, str) else who.username
    audit.append(session, actor=actor, action=action, entity_type=entity_type, entity_id=str(entity_id),
                 before=jsonable_encoder(before) if before is not None else None,
                 after=jsonable_encoder(after) if after is not None else None)
