"""A seeded store served over real HTTP (uvicorn on loopback), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from bordermark.api.testing import PASSWORD, Seeded, live_server, seed_two_holders
from bordermark.store import Store, open_store


@dataclass
class Live:
    url: str
    store: Store
    seeded: Seeded
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, username: str | None = None) -> httpx.Client:
        """An HTTP client; with a username it carries a fresh bearer token of that user."""
        client = httpx.Client(base_url=self.url, timeout=30)
        if username:
            if username not in self.tokens:  # one password check per user and module: argon2 is slow on purpose
                r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
                assert r.status_code == 201, r.text
                self.tokens[username] = r.json()["token"]
            client.headers["Authorization"] = f"Bearer {self.tokens[username]}"
        return client


@pytest.fixture(scope="package", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One seeded server per engine for the whole folder: tests create uniquely named data and never assume
    that they run first, so they can share it (setting a store up costs seconds)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'bordermark.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database()
    store = open_store(url)
    seeded = seed_two_holders(store)
    try:
        with live_server(store) as url:
            yield Live(url, store, seeded)
    finally:
        store.dispose()
