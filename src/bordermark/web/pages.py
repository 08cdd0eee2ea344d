"""Page routes: login, dashboard, and the registry a right holder maintains. Other concepts add page modules
(``pages_*.py``) that this router includes when present."""

from __future__ import annotations

import logging
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from bordermark.accounts import create_session, end_session
from bordermark.accounts.roles import Role
from bordermark.api import registry_ops as ops
from bordermark.api.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, csrf_ok, get_store, session_principal
from bordermark.api.errors import ApiError
from bordermark.api.routes_accounts import check_password
from bordermark.api.schemas import AliasIn, GuideIn, GuidePatch, MarkIn, MarkPatch, PartyIn, ProductIn, ProductPatch
from bordermark.domain import AliasKind, PartyRole, RightType
from bordermark.web.common import (
    LoginRequired,
    back,
    check_csrf,
    dashboard_extensions,
    form_error,
    login_redirect,
    page_user,
    parse,
    render,
    split_list,
    templates,
)

log = logging.getLogger("bordermark.web")
router = APIRouter(include_in_schema=False)
Id = Annotated[str, Path(max_length=64)]
IntId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FormStr = Annotated[str, Form(max_length=20000)]
OptForm = Annotated[str | None, Form(max_length=20000)]
Csrf = Annotated[str, Form(max_length=200)]

__all__ = ["install", "router", "templates"]


def install(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(_request: Request, exc: LoginRequired) -> Response:
        return login_redirect(exc)


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


# ---- login ----------------------------------------------------------------------------------------------------

@router.get("/login")
def login_page(request: Request, next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    if session_principal(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", None, next=_safe_next(next), login_csrf=token)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, max_age=3600)
    return response


@router.post("/login")
def login_submit(request: Request, username: Annotated[str, Form(max_length=80)],
                 password: Annotated[str, Form(max_length=1000)], csrf_token: Csrf,
                 next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    if not csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token):
        return back("/login", err="the login form expired; please try again")
    try:
        who = check_password(request, username.strip(), password)
    except ApiError as exc:
        token = secrets.token_urlsafe(24)
        response = render(request, "login.html", None, status=exc.status, next=_safe_next(next),
                          login_csrf=token, login_error=exc.reason, username=username)
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                            secure=request.app.state.secure_cookies, max_age=3600)
        return response
    with get_store(request).session() as s:
        secret, _csrf = create_session(s, who.user_id)
        from bordermark.api.audit_log import record

        record(s, who, "auth.login", "user", who.username)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax",
                        secure=request.app.state.secure_cookies, max_age=12 * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Csrf) -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    with get_store(request).session() as s:
        end_session(s, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# ---- dashboard ------------------------------------------------------------------------------------------------

@router.get("/")
def dashboard(request: Request) -> Response:
    user = page_user(request)
    who = user[0]
    with get_store(request).session() as s:
        holders = ops.list_holders(s, who)
        marks = ops.list_marks(s, who, limit=1)["total"]
        products = ops.list_products(s, who, limit=1)["total"]
        parties = ops.list_parties(s, who, limit=1)["total"]
    tiles: list[dict[str, Any]] = [
        {"label": "Holders", "value": len(holders), "href": "/registry"},
        {"label": "Marks", "value": marks, "href": "/registry"},
        {"label": "Products", "value": products, "href": "/registry/products"},
        {"label": "Authorised parties", "value": parties, "href": "/registry/parties"},
    ]
    for extra in dashboard_extensions:
        try:
            tiles.extend(extra(request, who))
        except Exception:  # a broken extension must not take the dashboard down
            log.exception("dashboard extension %s failed", getattr(extra, "__name__", extra))
    return render(request, "dashboard.html", user, tiles=tiles, holders=holders)


# ---- registry -------------------------------------------------------------------------------------------------

@router.get("/registry")
def registry_page(request: Request, holder_id: Annotated[str | None, Query(max_length=64)] = None,
                  q: Annotated[str | None, Query(max_length=100)] = None,
                  offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> Response:
    user = page_user(request)
    who = user[0]
    with get_store(request).session() as s:
        holders = ops.list_holders(s, who)
        marks = ops.list_marks(s, who, holder_id=holder_id or None, q=q or None, limit=50, offset=offset)
    editable = [h for h in holders if who.can_edit_registry(h["id"])]
    return render(request, "registry.html", user, holders=holders, editable=editable, marks=marks,
                  holder_id=holder_id or "", q=q or "", offset=offset, right_types=list(RightType))


@router.post("/registry/marks")
def registry_add_mark(request: Request, csrf_token: Csrf, holder_id: FormStr, text: FormStr,
                      right_type: FormStr = "trademark", nice_classes: OptForm = None,
                      jurisdictions: OptForm = None, famous: OptForm = None) -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    try:
        body = parse(MarkIn, {"holder_id": holder_id, "text": text, "right_type": right_type,
                              "nice_classes": split_list(nice_classes),
                              "jurisdictions": [j.upper() for j in split_list(jurisdictions)],
                              "famous": famous == "on"})
        with get_store(request).session() as s:
            mark = ops.create_mark(s, user[0], body)
    except (ValidationError, ApiError) as exc:
        return back("/registry", err=form_error(exc))
    return back(f"/registry/marks/{mark['id']}", msg=f"mark {mark['text']} created")


@router.get("/registry/marks/{mark_id}")
def mark_page(request: Request, mark_id: Id) -> Response:
    user = page_user(request)
    with get_store(request).session() as s:
        mark = ops.get_mark(s, user[0], mark_id)
        products = ops.list_products(s, user[0], mark_id=mark_id, limit=500)["items"]
    return render(request, "mark.html", user, mark=mark, products=products, alias_kinds=list(AliasKind),
                  can_edit=user[0].can_edit_registry(mark["holder_id"]))


@router.post("/registry/marks/{mark_id}")
def mark_update(request: Request, mark_id: Id, csrf_token: Csrf, nice_classes: OptForm = None,
                jurisdictions: OptForm = None, registration_number: OptForm = None,
                famous: OptForm = None) -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    url = f"/registry/marks/{mark_id}"
    try:
        body = parse(MarkPatch, {"nice_classes": split_list(nice_classes),
                                 "jurisdictions": [j.upper() for j in split_list(jurisdictions)],
                                 "registration_number": (registration_number or "").strip() or None,
                                 "famous": famous == "on"})
        with get_store(request).session() as s:
            ops.update_mark(s, user[0], mark_id, body)
    except (ValidationError, ApiError) as exc:
        if isinstance(exc, ApiError) and exc.status == 404:
            raise
        return back(url, err=form_error(exc))
    return back(url, msg="mark saved")


@router.post("/registry/marks/{mark_id}/delete")
def mark_delete(request: Request, mark_id: Id, csrf_token: Csrf) -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    with get_store(request).session() as s:
        ops.delete_mark(s, user[0], mark_id)
    return back("/registry", msg="mark deleted")


@router.post("/registry/marks/{mark_id}/aliases")
def alias_add(request: Request, mark_id: Id, csrf_token: Csrf, text: FormStr,
              kind: FormStr = "variant") -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    url = f"/registry/marks/{mark_id}"
    try:
        body = parse(AliasIn, {"text": text, "kind": kind})
        with get_store(request).session() as s:
            ops.add_alias(s, user[0], mark_id, body)
    except (ValidationError, ApiError) as exc:
        if isinstance(exc, ApiError) and exc.status == 404:
            raise
        return back(url, err=form_error(exc))
    return back(url, msg=f"alias {text.strip()} added")


@router.post("/registry/marks/{mark_id}/aliases/{alias_id}/delete")
def alias_delete(request: Request, mark_id: Id, alias_id: IntId, csrf_token: Csrf) -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    with get_store(request).session() as s:
        ops.delete_alias(s, user[0], mark_id, alias_id)
    return back(f"/registry/marks/{mark_id}", msg="alias removed")


@router.get("/registry/products")
def products_page(request: Request, q: Annotated[str | None, Query(max_length=100)] = None,
                  offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> Response:
    user = page_user(request)
    with get_store(request).session() as s:
        products = ops.list_products(s, user[0], q=q or None, limit=50, offset=offset)
    return render(request, "products.html", user, products=products, q=q or "", offset=offset)


@router.post("/registry/products")
def product_add(request: Request, csrf_token: Csrf, mark_id: FormStr, name: FormStr,
                category: OptForm = None, hs_codes: OptForm = None,
                authentication_features: OptForm = None) -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    try:
        body = parse(ProductIn, {"mark_id": mark_id, "name": name, "category": (category or "").strip() or None,
                                 "hs_codes": split_list(hs_codes),
                                 "authentication_features": (authentication_features or "").strip() or None})
        with get_store(request).session() as s:
            product = ops.create_product(s, user[0], body)
    except (ValidationError, ApiError) as exc:
        return back(f"/registry/marks/{mark_id}" if len(mark_id) <= 64 else "/registry", err=form_error(exc))
    return back(f"/registry/products/{product['id']}", msg=f"product {product['name']} created")


@router.get("/registry/products/{product_id}")
def product_page(request: Request, product_id: Id) -> Response:
    user = page_user(request)
    with get_store(request).session() as s:
        product = ops.get_product(s, user[0], product_id)
        guides = ops.list_guides(s, user[0], product_id=product_id)
    return render(request, "product.html", user, product=product, guides=guides,
                  can_edit=user[0].can_edit_registry(product["holder_id"]))


def _product_patch(request: Request, product_id: Id, csrf_token: str, patch: dict[str, Any],
                   done: str) -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    url = f"/registry/products/{product_id}"
    try:
        body = parse(ProductPatch, patch)
        with get_store(request).session() as s:
            ops.update_product(s, user[0], product_id, body)
    except (ValidationError, ApiError) as exc:
        if isinstance(exc, ApiError) and exc.status == 404:
            raise
        return back(url, err=form_error(exc))
    return back(url, msg=done)


@router.post("/registry/products/{product_id}")
def product_update(request: Request, product_id: Id, csrf_token: Csrf, category: OptForm = None,
                   hs_codes: OptForm = None, gs1_prefixes: OptForm = None, barcodes: OptForm = None,
                   authentication_features: OptForm = None) -> Response:
    return _product_patch(request, product_id, csrf_token, {
        "category": (category or "").strip() or None, "hs_codes": split_list(hs_codes),
        "gs1_prefixes": split_list(gs1_prefixes), "barcodes": split_list(barcodes),
        "authentication_features": (authentication_features or "").strip() or None}, "product saved")


@router.post("/registry/products/{product_id}/bands")
def band_add(request: Request, product_id: Id, csrf_token: Csrf, market: FormStr, currency: FormStr,
             low: FormStr, high: FormStr) -> Response:
    user = page_user(request)
    with get_store(request).session() as s:
        bands = ops.get_product(s, user[0], product_id)["price_bands"]
    new = {"market": market.strip().upper(), "currency": currency.strip().upper(), "low": low.strip(),
           "high": high.strip()}
    rest = [{k: b[k] for k in ("market", "currency", "low", "high")} for b in bands
            if (b["market"], b["currency"]) != (new["market"], new["currency"])]
    return _product_patch(request, product_id, csrf_token, {"price_bands": [*rest, new]}, "price band saved")


@router.post("/registry/products/{product_id}/bands/{band_id}/delete")
def band_delete(request: Request, product_id: Id, band_id: IntId, csrf_token: Csrf) -> Response:
    user = page_user(request)
    with get_store(request).session() as s:
        bands = ops.get_product(s, user[0], product_id)["price_bands"]
    rest = [{k: b[k] for k in ("market", "currency", "low", "high")} for b in bands if b["id"] != band_id]
    return _product_patch(request, product_id, csrf_token, {"price_bands": rest}, "price band removed")


@router.post("/registry/products/{product_id}/delete")
def product_delete(request: Request, product_id: Id, csrf_token: Csrf) -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    with get_store(request).session() as s:
        product = ops.get_product(s, user[0], product_id)
        ops.delete_product(s, user[0], product_id)
    return back(f"/registry/marks/{product['mark_id']}", msg="product deleted")


@router.post("/registry/guides")
def guide_add(request: Request, csrf_token: Csrf, holder_id: FormStr, title: FormStr,
              product_id: OptForm = None, genuine_features: FormStr = "",
              fake_indicators: FormStr = "") -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    url = f"/registry/products/{product_id}" if product_id and len(product_id) <= 64 else "/registry/guides"
    try:
        body = parse(GuideIn, {"holder_id": holder_id, "title": title, "product_id": product_id or None,
                               "genuine_features": genuine_features, "fake_indicators": fake_indicators})
        with get_store(request).session() as s:
            ops.create_guide(s, user[0], body)
    except (ValidationError, ApiError) as exc:
        return back(url, err=form_error(exc))
    return back(url, msg="guide published")


@router.get("/registry/guides")
def guides_page(request: Request) -> Response:
    user = page_user(request)
    with get_store(request).session() as s:
        guides = ops.list_guides(s, user[0])
        holders = ops.list_holders(s, user[0])
    names = {h["id"]: h["name"] for h in holders}
    editable = [h for h in holders if user[0].can_edit_registry(h["id"])]
    return render(request, "guides.html", user, guides=guides, holder_names=names, editable=editable)


@router.post("/registry/guides/{guide_id}")
def guide_update(request: Request, guide_id: IntId, csrf_token: Csrf, title: FormStr,
                 genuine_features: FormStr = "", fake_indicators: FormStr = "") -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    try:
        body = parse(GuidePatch, {"title": title, "genuine_features": genuine_features,
                                  "fake_indicators": fake_indicators})
        with get_store(request).session() as s:
            ops.update_guide(s, user[0], guide_id, body)
    except (ValidationError, ApiError) as exc:
        if isinstance(exc, ApiError) and exc.status == 404:
            raise
        return back("/registry/guides", err=form_error(exc))
    return back("/registry/guides", msg="guide saved")


@router.post("/registry/guides/{guide_id}/delete")
def guide_delete(request: Request, guide_id: IntId, csrf_token: Csrf) -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    with get_store(request).session() as s:
        ops.delete_guide(s, user[0], guide_id)
    return back("/registry/guides", msg="guide deleted")


@router.get("/registry/parties")
def parties_page(request: Request) -> Response:
    user = page_user(request)
    with get_store(request).session() as s:
        parties = ops.list_parties(s, user[0], limit=500)
        holders = ops.list_holders(s, user[0])
    editable = [h for h in holders if user[0].can_edit_registry(h["id"])]
    return render(request, "parties.html", user, parties=parties, editable=editable, roles=list(PartyRole))


@router.post("/registry/parties")
def party_add(request: Request, csrf_token: Csrf, holder_id: FormStr, role: FormStr, name: FormStr,
              country: OptForm = None, marks: OptForm = None, identifiers: OptForm = None,
              addresses: OptForm = None, contacts: OptForm = None) -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    try:
        body = parse(PartyIn, {"holder_id": holder_id, "role": role, "name": name,
                               "country": (country or "").strip().upper() or None, "marks": split_list(marks),
                               "identifiers": split_list(identifiers), "addresses": split_list(addresses),
                               "contacts": split_list(contacts)})
        with get_store(request).session() as s:
            ops.create_party(s, user[0], body)
    except (ValidationError, ApiError) as exc:
        return back("/registry/parties", err=form_error(exc))
    return back("/registry/parties", msg=f"party {name.strip()} added")


@router.post("/registry/parties/{party_id}/delete")
def party_delete(request: Request, party_id: Id, csrf_token: Csrf) -> Response:
    user = page_user(request)
    check_csrf(request, user[1], csrf_token)
    with get_store(request).session() as s:
        ops.delete_party(s, user[0], party_id)
    return back("/registry/parties", msg="party removed")


_ = Role  # re-exported for templates that compare roles
