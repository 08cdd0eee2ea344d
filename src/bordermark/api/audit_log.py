"""The one place where the API and pages write to the audit log (``bordermark.audit.append``)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy.orm import Session

from bordermark.accounts import Principal

log = logging.getLogger("bordermark.api")


def record(session: Session, who: Principal | str, action: str, entity_type: str, entity_id: object,
           before: Any = None, after: Any = None) -> None:
    """Append an audit entry in the caller's transaction, so the change and its record commit together."""
    try:
        from bordermark import audit
        append = getattr(audit, "append")  # noqa: B009  (absent until the audit package lands)
    except (ImportError, AttributeError):  # the audit package has not landed in this checkout yet
        log.warning("audit log unavailable: %s %s %s by %s not recorded", action, entity_type, entity_id, who)
        return
    actor = who if isinstance(who, str) else who.username
    append(session, actor=actor, action=action, entity_type=entity_type, entity_id=str(entity_id),
                 before=jsonable_encoder(before) if before is not None else None,
                 after=jsonable_encoder(after) if after is not None else None)
