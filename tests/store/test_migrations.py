"""One migration head, and a store made by the older branch heads upgrades onto it (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bordermark.store import Store
from bordermark.store.engine import alembic_config


def _current(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def test_one_head_and_a_fresh_store_is_at_it(store: Store) -> None:
    heads = ScriptDirectory.from_config(alembic_config(store.url)).get_heads()
    assert heads == ["0005_merge_heads"]
    assert _current(store) == {"0005_merge_heads"}


def test_store_at_the_old_branch_heads_upgrades(postgres: object, tmp_path: object) -> None:
    for url in (f"sqlite:///{tmp_path}/old.db", postgres.create_database()):  # type: ignore[attr-defined]
        old = Store(url)  # not open_store: that migrates to the newest revision at once
        cfg = alembic_config(old.url)
        with old.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0002_cases")
            command.upgrade(cfg, "0003_accounts")
            command.upgrade(cfg, "0004_screening")
        assert _current(old) == {"0002_cases", "0003_accounts", "0004_screening"}
        old.migrate()
        assert _current(old) == {"0005_merge_heads"}
        assert inspect(old.engine).has_table("screen_alerts")
