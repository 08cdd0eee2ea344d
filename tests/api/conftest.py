"""A seeded store served over real HTTP (uvicorn on loopback), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from bordermark.api.testing import PASSWORD, Seeded, live_server, seed_two_holders
from bordermark.store import Store, open_store


@dataclass
class Live:
    url: str
    store: Store
    seeded: Seeded

    def client(self, username: str | None = None) -> httpx.Client:
        """An HTTP client; with a username it carries a fresh bearer token of that user."""
        client = httpx.Client(base_url=self.url, timeout=30)
        if username:
            r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
            assert r.status_code == 201, r.text
            client.headers["Authorization"] = f"Bearer {r.json()['token']}"
        return client


@pytest.fixture
def live(store_url: str) -> Iterator[Live]:
    store = open_store(store_url)
    seeded = seed_two_holders(store)
    try:
        with live_server(store) as url:
            yield Live(url, store, seeded)
    finally:
        store.dispose()
