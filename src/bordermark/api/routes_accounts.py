"""``/api/v1`` account routes: exchange a password for an API token, who am I, tokens, users (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from bordermark.accounts import AccountError, Principal, authenticate, create_user, issue_token
from bordermark.accounts import service as accounts
from bordermark.accounts.ratelimit import LoginLimiter
from bordermark.api.audit_log import record
from bordermark.api.auth import CurrentUser, get_store
from bordermark.api.errors import ApiError, forbidden, invalid, not_found
from bordermark.api.fastjson import JSONRoute
from bordermark.api.schemas import LoginIn, TokenIn, UserIn

router = APIRouter(tags=["accounts"], route_class=JSONRoute)
IntId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_password(request: Request, username: str, password: str) -> Principal:
    """Password check with login throttling; raises 429 when throttled and 401 when wrong."""
    limiter: LoginLimiter = request.app.state.login_limiter
    address = client_address(request)
    wait = limiter.retry_after(username, address)
    if wait > 0:
        raise ApiError(429, f"too many failed logins; try again in {int(wait) + 1} s",
                       headers={"Retry-After": str(int(wait) + 1)})
    with get_store(request).session() as s:
        who = authenticate(s, username, password)
        if who is None:
            record(s, username[:80], "auth.login_failed", "user", username[:80])
    if who is None:
        limiter.failed(username, address)
        raise ApiError(401, "wrong username or password")
    limiter.succeeded(username)
    return who


def me_json(who: Principal) -> dict[str, Any]:
    return {"id": who.user_id, "username": who.username, "role": who.role.value,
            "holder_ids": sorted(who.holder_ids), "display_name": who.display_name, "via": who.via}


@router.post("/auth/token", status_code=201)
def token_from_password(request: Request, body: LoginIn) -> dict[str, Any]:
    """Exchange a username and password for a new API token (for scripts); throttled like the login page."""
    who = check_password(request, body.username, body.password)
    with get_store(request).session() as s:
        token_id, secret = issue_token(s, who.user_id, f"password exchange {body.username}")
        record(s, who, "auth.token_issued", "api_token", token_id)
    return {"id": token_id, "token": secret, "token_type": "bearer"}


@router.get("/me")
async def me(who: CurrentUser) -> dict[str, Any]:
    """Who the caller is (no database work, so it runs on the event loop without a thread hop)."""
    return me_json(who)


@router.get("/tokens")
def list_tokens(request: Request, who: CurrentUser) -> list[dict[str, Any]]:
    with get_store(request).session() as s:
        return [{"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
                 "last_used_at": t.last_used_at, "revoked": t.revoked_at is not None}
                for t in accounts.list_tokens(s, who.user_id)]


@router.post("/tokens", status_code=201)
def create_token(request: Request, who: CurrentUser, body: TokenIn) -> dict[str, Any]:
    """A new API token for the caller; the token is shown only in this response."""
    with get_store(request).session() as s:
        try:
            token_id, secret = issue_token(s, who.user_id, body.name)
        except AccountError as exc:
            raise invalid(str(exc)) from None
        record(s, who, "auth.token_issued", "api_token", token_id)
    return {"id": token_id, "token": secret, "token_type": "bearer", "name": body.name}


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(request: Request, who: CurrentUser, token_id: IntId) -> Response:
    with get_store(request).session() as s:
        if not accounts.revoke_token(s, who.user_id, token_id):
            raise not_found("token", token_id)
        record(s, who, "auth.token_revoked", "api_token", token_id)
    request.app.state.token_cache.forget(who.user_id)
    return Response(status_code=204)


@router.get("/users")
def list_users(request: Request, who: CurrentUser) -> list[dict[str, Any]]:
    if not who.is_admin:
        raise forbidden("only administrators may list users")
    with get_store(request).session() as s:
        return [{"id": u.id, "username": u.username, "role": u.role, "holder_ids": list(u.holder_ids or ()),
                 "active": u.active} for u in accounts.list_users(s)]


@router.post("/users", status_code=201)
def add_user(request: Request, who: CurrentUser, body: UserIn) -> dict[str, Any]:
    if not who.is_admin:
        raise forbidden("only administrators may create users")
    with get_store(request).session() as s:
        try:
            new = create_user(s, body.username, body.password, body.role, holder_ids=body.holder_ids,
                              display_name=body.display_name)
        except AccountError as exc:
            status = 409 if "already exists" in str(exc) else 422
            raise ApiError(status, str(exc)) from None
        record(s, who, "accounts.user.create", "user", new.username,
               after={"role": new.role.value, "holder_ids": sorted(new.holder_ids)})
    return me_json(new) | {"via": None}
