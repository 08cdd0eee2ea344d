"""``bordermark serve`` (web app and REST API) and ``bordermark users`` (accounts, API tokens, demo users)."""

from __future__ import annotations

import getpass
import secrets
import sys
from typing import Annotated

import typer
from sqlalchemy import select

from bordermark.accounts import AccountError, Role, create_user, issue_token
from bordermark.accounts import service as accounts
from bordermark.cli.common import EXIT_BAD_INPUT, OutputFormat, console, emit, fail, get_store
from bordermark.settings import get_settings
from bordermark.store import Store
from bordermark.store.account_tables import UserRow
from bordermark.store.registry_tables import HolderRow


def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default BORDERMARK_HOST or 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default BORDERMARK_PORT or 8000)")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64,
                                         help="Worker processes (one per CPU core for the most requests/s)")] = 1,
    secure_cookies: Annotated[bool, typer.Option(help="Mark cookies Secure (when served behind HTTPS)")] = False,
) -> None:
    """Serve the web app and the REST API (/api/v1, OpenAPI at /api/v1/openapi.json)."""
    import uvicorn

    from bordermark.api import create_app
    from bordermark.api.app import prepare_server_process

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    store = get_store()
    console.print(f"Bordermark on http://{host}:{port}/ (store {store.url}); API at /api/v1, Ctrl-C stops")
    if workers > 1:
        # Several worker processes (one per core serves the API fastest); the deadline scheduler runs once, in
        # this supervising process, not in every worker.
        store.dispose()
        _start_case_scheduler(store)
        uvicorn.run("bordermark.api.app:app_from_settings", factory=True, host=host, port=port, workers=workers,
                    log_level=settings.log_level.lower(), access_log=False, loop=_LOOP, http=_HTTP)
        return
    _start_case_scheduler(store)
    uvicorn.run(prepare_server_process(create_app(store, secure_cookies=secure_cookies)), host=host, port=port,
                log_level=settings.log_level.lower(), access_log=False, loop=_LOOP, http=_HTTP)


def _have(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# uvloop and httptools cut the event loop's and the HTTP parser's CPU per request; pure-Python fallbacks remain
_LOOP = "uvloop" if _have("uvloop") else "asyncio"
_HTTP = "httptools" if _have("httptools") else "h11"


def _start_case_scheduler(store: Store, every_s: float = 60.0) -> None:
    """Apply passed legal deadlines (e.g. release when the holder did not reply) while the server runs."""
    import logging
    import threading

    from bordermark.cases import service as cases

    def loop() -> None:
        while not stop.wait(every_s):
            try:
                with store.session() as s:
                    cases.tick(s)
            except Exception:  # keep serving; the next tick retries and the error is logged
                logging.getLogger("bordermark.cases").exception("case scheduler tick failed")

    stop = threading.Event()
    threading.Thread(target=loop, name="case-scheduler", daemon=True).start()


users_app = typer.Typer(help="Accounts: create users with roles, list them, set passwords, issue API tokens.",
                        no_args_is_help=True)


def _holder_ids(store: Store, refs: list[str]) -> list[str]:
    """Holders named by id or by exact name."""
    out = []
    with store.session() as s:
        for ref in refs:
            hid = s.scalar(select(HolderRow.id).where((HolderRow.id == ref) | (HolderRow.name == ref)))
            if hid is None:
                fail(f"no holder with id or name {ref!r}", EXIT_BAD_INPUT)
            out.append(hid)
    return out


def _password(password_stdin: bool) -> tuple[str, bool]:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    if sys.stdin.isatty():
        pw = getpass.getpass("password (empty: generate one): ")
        if pw:
            return pw, False
    return secrets.token_urlsafe(12), True


@users_app.command("add")
def add(
    username: str,
    role: Annotated[Role, typer.Option(help="The account's role")],
    holder: Annotated[list[str] | None, typer.Option(help="Holder id or name (right_holder only; repeatable)")] = None,
    display_name: Annotated[str, typer.Option(help="Name shown in the pages")] = "",
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input")] = False,
) -> None:
    """Create an account; without a password one is generated and printed once."""
    store = get_store()
    holders = _holder_ids(store, holder or [])
    password, generated = _password(password_stdin)
    try:
        with store.session() as s:
            create_user(s, username, password, role, holder_ids=holders, display_name=display_name)
    except AccountError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    console.print(f"user {username} created ({role.value})" + (f"; password: {password}" if generated else ""))


@users_app.command("list")
def list_(fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table) -> None:
    """List accounts with their roles and holders."""
    with get_store().session() as s:
        rows = [{"username": u.username, "role": u.role, "holders": list(u.holder_ids or ()), "active": u.active}
                for u in accounts.list_users(s)]
    emit(rows, fmt, ["username", "role", "holders", "active"], title="Users")


@users_app.command("passwd")
def passwd(username: str,
           password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input")] = False) -> None:
    """Set a new password (ends the user's web sessions); without one a password is generated and printed."""
    password, generated = _password(password_stdin)
    try:
        with get_store().session() as s:
            accounts.set_password(s, username, password)
    except AccountError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    console.print(f"password of {username} changed" + (f": {password}" if generated else ""))


@users_app.command("token")
def token(username: str, name: Annotated[str, typer.Option(help="What the token is for")] = "cli") -> None:
    """Issue an API token for a user (printed once; send it as 'Authorization: Bearer <token>')."""
    try:
        with get_store().session() as s:
            user = s.scalar(select(UserRow).where(UserRow.username == username))
            if user is None:
                fail(f"no user {username!r}", EXIT_BAD_INPUT)
            _id, secret = issue_token(s, user.id, name)
    except AccountError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    console.print(secret, highlight=False, soft_wrap=True)


@users_app.command("demo")
def demo_users() -> None:
    """Create one demo account per role (right holders for the first two holders) and print their passwords."""
    print_demo_accounts(get_store())


def print_demo_accounts(store: Store) -> list[tuple[str, str, str]]:
    """For ``make demo``: (re)create the demo accounts with fresh passwords and print them as a table."""
    with store.session() as s:
        holders = list(s.scalars(select(HolderRow.id).order_by(HolderRow.name)))
        created = accounts.create_demo_accounts(s, holders)
        names = {hid: name for hid, name in s.execute(select(HolderRow.id, HolderRow.name))}
        scopes = {u.username: ", ".join(names.get(h, h) for h in u.holder_ids or ())
                  for u in accounts.list_users(s)}
    emit([{"user": u, "role": r, "password": p, "holders": scopes.get(u, "")} for u, r, p in created],
         OutputFormat.table, ["user", "role", "password", "holders"], title="Demo accounts")
    return created
