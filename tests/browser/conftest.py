"""Headless Chromium (Debian's package) driven by Playwright against the real app on a loopback port.

Screenshots go to ``artifacts/browser/`` at the repository root (git-ignored) so CI can keep them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bordermark.api.testing import PASSWORD, Seeded, live_server, seed_two_holders
from bordermark.store import Store, open_store

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"


@dataclass
class World:
    url: str
    store: Store
    seeded: Seeded


@dataclass
class Tab:
    """A page with its console errors collected; ``expected`` lists error fragments a step expects."""

    page: Any
    errors: list[str] = field(default_factory=list)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def login(self, url: str, username: str) -> None:
        self.page.goto(f"{url}/login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_label("Password").press("Enter")
        self.page.wait_for_url(f"{url}/")

    def no_horizontal_overflow(self) -> bool:
        return bool(self.page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed: `make test` installs it (apt-get install chromium)")
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'bordermark.db'}")
    seeded = seed_two_holders(store)
    try:
        with live_server(store) as url:
            yield World(url, store, seeded)
    finally:
        store.dispose()


@pytest.fixture(scope="module")
def browser(world: World) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_tab(browser: Any) -> Any:
    """A factory of fresh browser contexts (own cookies), one page each: ``with new_tab(w, h) as tab``."""

    @contextmanager
    def make(width: int, height: int) -> Iterator[Tab]:
        yield from _tab(browser, width, height)

    return make


def _tab(browser: Any, width: int, height: int) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    tab = Tab(page)
    page.on("console", lambda msg: tab.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def desktop(browser: Any) -> Iterator[Tab]:
    yield from _tab(browser, 1280, 900)


@pytest.fixture
def phone(browser: Any) -> Iterator[Tab]:
    yield from _tab(browser, 390, 844)
