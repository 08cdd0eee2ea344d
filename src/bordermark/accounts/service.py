"""Creating users, checking passwords, and resolving session cookies and API tokens to a :class:`Principal`.

Functions take an open SQLAlchemy session so that a caller can combine them with an audit entry in one
transaction. Secrets (session ids, API tokens) are returned once and stored only as SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bordermark.accounts.passwords import hash_password, needs_rehash, verify_password
from bordermark.accounts.roles import Principal, Role
from bordermark.store.account_tables import ApiTokenRow, UserRow, WebSessionRow
from bordermark.store.registry_tables import HolderRow

SESSION_TTL = timedelta(hours=12)
TOKEN_PREFIX = "bmk_"
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,80}$")


class AccountError(ValueError):
    """A request about accounts that cannot be honoured; the message says why."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes even for timezone-aware columns; we always store UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def principal_of(row: UserRow, via: str = "session") -> Principal:
    return Principal(user_id=row.id, username=row.username, role=Role(row.role),
                     holder_ids=frozenset(row.holder_ids or ()), display_name=row.display_name, via=via)


def create_user(session: Session, username: str, password: str, role: Role | str, *,
                holder_ids: Iterable[str] = (), display_name: str = "") -> Principal:
    """Create an account; right holders must name at least one existing holder and others must name none."""
    if not USERNAME_RE.match(username):
        raise AccountError("username must be 3-80 characters of letters, digits, '_', '.', '@' or '-'")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(r.value for r in Role)}") from None
    holders = sorted(set(holder_ids))
    if role is Role.RIGHT_HOLDER and not holders:
        raise AccountError("a right_holder account needs at least one holder id")
    if role is not Role.RIGHT_HOLDER and holders:
        raise AccountError("only right_holder accounts are scoped to holders")
    missing = [h for h in holders if session.get(HolderRow, h) is None]
    if missing:
        raise AccountError(f"no holder with id {', '.join(missing)}")
    if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
        raise AccountError(f"user {username!r} already exists")
    try:
        pw_hash = hash_password(password)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    row = UserRow(username=username, display_name=display_name or username, password_hash=pw_hash,
                  role=role.value, holder_ids=holders, active=True, created_at=_now())
    session.add(row)
    session.flush()
    return principal_of(row)


def set_password(session: Session, username: str, password: str) -> None:
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise AccountError(f"no user {username!r}")
    try:
        row.password_hash = hash_password(password)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    SESSION_CACHE.forget(user_id=row.id)
    session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == row.id))


def authenticate(session: Session, username: str, password: str) -> Principal | None:
    """The principal when the password is right and the account active; None otherwise (same timing)."""
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    ok = verify_password(row.password_hash if row else None, password)
    if row is None or not ok or not row.active:
        return None
    if needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
    return principal_of(row)


def create_session(session: Session, user_id: int) -> tuple[str, str]:
    """Open a web session; returns (cookie secret, CSRF token). Old expired sessions are swept."""
    now = _now()
    session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < now))
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(WebSessionRow(token_hash=_digest(secret), user_id=user_id, csrf_token=csrf, created_at=now,
                              expires_at=now + SESSION_TTL))
    session.flush()
    return secret, csrf


class _SessionCache:
    """Resolved session cookies for a few seconds (one query fewer per page or API call by a person).

    Why it is safe: logging out or changing a password through this process forgets the entries at once; the
    session's own expiry is still checked on every hit; a change made by another process (the CLI, another
    worker) applies within ``ttl_s``.
    """

    def __init__(self, ttl_s: float = 5.0, max_entries: int = 10_000) -> None:
        self.ttl_s, self.max_entries = ttl_s, max_entries
        self._items: dict[str, tuple[float, Principal, str, datetime]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> tuple[Principal, str] | None:
        found = self._items.get(digest)
        if found is None or time.monotonic() - found[0] >= self.ttl_s or found[3] < _now():
            return None
        return found[1], found[2]

    def put(self, digest: str, principal: Principal, csrf: str, expires_at: datetime) -> None:
        with self._lock:
            if len(self._items) >= self.max_entries:
                self._items.clear()
            self._items[digest] = (time.monotonic(), principal, csrf, expires_at)

    def forget(self, *, digest: str | None = None, user_id: int | None = None) -> None:
        with self._lock:
            if digest is not None:
                self._items.pop(digest, None)
            if user_id is not None:
                self._items = {k: v for k, v in self._items.items() if v[1].user_id != user_id}


SESSION_CACHE = _SessionCache()


def resolve_session(session: Session, secret: str, *, cached: bool = False) -> tuple[Principal, str] | None:
    """(principal, CSRF token) for a live session cookie, else None. ``cached``: answer from
    :data:`SESSION_CACHE` when it can (the web app's per-request check), one query (session and user) when not."""
    digest = _digest(secret)
    if cached:
        hit = SESSION_CACHE.get(digest)
        if hit is not None:
            return hit
    found = session.execute(
        select(WebSessionRow, UserRow).join(UserRow, UserRow.id == WebSessionRow.user_id)
        .where(WebSessionRow.token_hash == digest)
    ).first()
    if found is None:
        return None
    ws, user = found
    if _aware(ws.expires_at) < _now() or not user.active:
        return None
    out = principal_of(user, "session"), ws.csrf_token
    SESSION_CACHE.put(digest, out[0], out[1], _aware(ws.expires_at))
    return out


def end_session(session: Session, secret: str) -> None:
    SESSION_CACHE.forget(digest=_digest(secret))
    session.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == _digest(secret)))


def issue_token(session: Session, user_id: int, name: str) -> tuple[int, str]:
    """Create an API token for a user; returns (token id, the token itself, shown once)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError("token name must have 1-100 characters")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(user_id=user_id, name=name, token_hash=_digest(secret), prefix=secret[:10],
                      created_at=_now())
    session.add(row)
    session.flush()
    return row.id, secret


def resolve_token(session: Session, secret: str) -> Principal | None:
    found = session.execute(
        select(ApiTokenRow, UserRow).join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .where(ApiTokenRow.token_hash == _digest(secret))
    ).first()
    if found is None:
        return None
    token, user = found
    if token.revoked_at is not None or not user.active:
        return None
    return principal_of(user, "token")


def list_tokens(session: Session, user_id: int) -> list[ApiTokenRow]:
    return list(session.scalars(select(ApiTokenRow).where(ApiTokenRow.user_id == user_id)
                                .order_by(ApiTokenRow.id)))


def revoke_token(session: Session, user_id: int, token_id: int) -> bool:
    row = session.get(ApiTokenRow, token_id)
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return False
    row.revoked_at = _now()
    return True


def list_users(session: Session) -> list[UserRow]:
    return list(session.scalars(select(UserRow).order_by(UserRow.username)))


def create_demo_accounts(session: Session, holder_ids: list[str]) -> list[tuple[str, str, str]]:
    """Create one account per role (right holders for the first two holders); returns (user, role, password).

    Passwords are random each run and printed by the caller; existing demo users get a fresh password.
    """
    plan: list[tuple[str, Role, list[str]]] = [
        ("officer", Role.CUSTOMS_OFFICER, []),
        ("supervisor", Role.CUSTOMS_SUPERVISOR, []),
        ("analyst", Role.PLATFORM_ANALYST, []),
        ("admin", Role.ADMIN, []),
    ]
    for i, holder in enumerate(holder_ids[:2], start=1):
        plan.append((f"holder{i}", Role.RIGHT_HOLDER, [holder]))
    out = []
    for username, role, holders in plan:
        password = secrets.token_urlsafe(9)
        if session.scalar(select(UserRow.id).where(UserRow.username == username)) is None:
            create_user(session, username, password, role, holder_ids=holders)
        else:
            set_password(session, username, password)
        out.append((username, role.value, password))
    return out
