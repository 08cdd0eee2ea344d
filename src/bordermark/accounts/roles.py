"""Roles and what each may do. Pure: no I/O.

Why a right holder carries a list of holder ids: counsel often acts for several brands of one group, and the
scope check is the same for one or many. Every other role sees all holders; only some may change things.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    CUSTOMS_OFFICER = "customs_officer"
    CUSTOMS_SUPERVISOR = "customs_supervisor"
    PLATFORM_ANALYST = "platform_analyst"
    RIGHT_HOLDER = "right_holder"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.CUSTOMS_OFFICER: "Customs officer",
    Role.CUSTOMS_SUPERVISOR: "Customs supervisor",
    Role.PLATFORM_ANALYST: "Platform analyst",
    Role.RIGHT_HOLDER: "Right holder",
    Role.ADMIN: "Administrator",
}


@dataclass(frozen=True)
class Principal:
    """Who is making a request, resolved from a session cookie or an API token."""

    user_id: int
    username: str
    role: Role
    holder_ids: frozenset[str] = field(default_factory=frozenset)
    display_name: str = ""
    via: str = "session"  # "session" or "token"

    @property
    def is_holder(self) -> bool:
        return self.role is Role.RIGHT_HOLDER

    def sees_holder(self, holder_id: str | None) -> bool:
        """Right holders see only their own holders' data; everyone else sees every holder."""
        if not self.is_holder:
            return True
        return holder_id is not None and holder_id in self.holder_ids

    def visible(self, holder_ids: Iterable[str]) -> bool:
        """A record about several holders (e.g. an alert hitting two marks) is visible if any is ours."""
        return not self.is_holder or any(h in self.holder_ids for h in holder_ids)

    # ---- permissions -------------------------------------------------------------------------------------
    def can_edit_registry(self, holder_id: str | None) -> bool:
        if self.role is Role.ADMIN:
            return True
        return self.is_holder and self.sees_holder(holder_id)

    @property
    def can_screen(self) -> bool:
        return self.role in {Role.CUSTOMS_OFFICER, Role.CUSTOMS_SUPERVISOR, Role.PLATFORM_ANALYST, Role.ADMIN}

    @property
    def can_review(self) -> bool:
        return self.can_screen

    @property
    def can_work_cases(self) -> bool:
        return self.role in {Role.CUSTOMS_OFFICER, Role.CUSTOMS_SUPERVISOR, Role.ADMIN}

    @property
    def can_read_audit(self) -> bool:
        return self.role in {Role.CUSTOMS_SUPERVISOR, Role.ADMIN}

    @property
    def can_see_analytics(self) -> bool:
        return self.role is not Role.RIGHT_HOLDER

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
