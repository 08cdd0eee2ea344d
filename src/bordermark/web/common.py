"""What every page needs: the logged-in user (or a redirect to the login page), CSRF checks, rendering."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError

from bordermark.accounts import Principal
from bordermark.accounts.roles import ROLE_LABELS
from bordermark.api.auth import csrf_ok, session_principal
from bordermark.api.errors import ApiError

TEMPLATES = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.globals["role_labels"] = ROLE_LABELS


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def page_user(request: Request) -> tuple[Principal, str]:
    """(principal, CSRF token) of the session, or a redirect to the login page."""
    found = session_principal(request)
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return found


def check_csrf(request: Request, expected: str, given: str | None) -> None:
    if not csrf_ok(expected, given):
        raise ApiError(403, "the form has expired or did not come from this site; reload the page and retry")


def render(request: Request, name: str, user: tuple[Principal, str] | None, status: int = 200,
           **ctx: Any) -> Response:
    principal, csrf = user if user else (None, "")
    context = {"user": principal, "csrf": csrf, "msg": request.query_params.get("msg", "")[:300],
               "err": request.query_params.get("err", "")[:500], **ctx}
    return templates.TemplateResponse(request, name, context, status_code=status)


def back(url: str, *, msg: str = "", err: str = "") -> RedirectResponse:
    """Post/redirect/get: after a form, go back to a page showing a message or an error."""
    params = {k: v for k, v in (("msg", msg), ("err", err)) if v}
    sep = "&" if "?" in url else "?"
    return RedirectResponse(url + (sep + urlencode(params) if params else ""), status_code=303)


def login_redirect(exc: LoginRequired) -> RedirectResponse:
    return RedirectResponse("/login?next=" + quote(exc.next_url, safe="/"), status_code=303)


def form_error(exc: ValidationError | ApiError) -> str:
    if isinstance(exc, ApiError):
        return exc.reason
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ())) or "form"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def split_list(value: str | None) -> list[str]:
    """Form fields hold lists as comma-, '|'- or newline-separated text."""
    if not value:
        return []
    out = []
    for part in value.replace("|", ",").replace("\n", ",").split(","):
        part = part.strip()
        if part:
            out.append(part)
    return out


def parse(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """Validate form data with the API's request model, so pages and API accept the same input."""
    return model.model_validate({k: v for k, v in data.items() if v is not None})


_NAV: list[tuple[str, str, Any]] = []


def register_nav(label: str, href: str, allowed: Any) -> None:
    """Page modules add their entry to the main navigation; ``allowed(principal)`` decides who sees it."""
    if all(h != href for _, h, _ in _NAV):
        _NAV.append((label, href, allowed))


def nav_items(user: Principal) -> list[dict[str, str]]:
    return [{"label": label, "href": href} for label, href, allowed in _NAV if allowed(user)]


templates.env.globals["nav_items"] = nav_items


# Callables ``(request, principal) -> list of tiles`` that page modules add to the dashboard.
dashboard_extensions: list[Any] = []
