"""A seeded store served over real HTTP, and logged-in browser-like clients (cookies, CSRF tokens)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from bordermark.api.testing import PASSWORD, Seeded, live_server, seed_two_holders
from bordermark.store import Store, open_store

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    url: str
    store: Store
    seeded: Seeded

    def login(self, username: str, password: str = PASSWORD) -> tuple[httpx.Client, str]:
        """A cookie-carrying client logged in through the login form; returns it and its CSRF token."""
        c = httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)
        page = c.get("/login")
        token = CSRF_RE.search(page.text)
        assert token, page.text
        r = c.post("/login", data={"username": username, "password": password, "csrf_token": token.group(1),
                                   "next": "/"})
        assert r.status_code == 303, r.text
        home = c.get("/")
        assert home.status_code == 200
        csrf = CSRF_RE.search(home.text)
        assert csrf
        return c, csrf.group(1)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'bordermark.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database()
    store = open_store(url)
    seeded = seed_two_holders(store)
    try:
        with live_server(store) as base:
            yield Site(base, store, seeded)
    finally:
        store.dispose()
