"""Engines, sessions and migrations. One :class:`Store` per database URL.

Why a unit of work (``with store.session() as s``): an import or a case transition must be all or nothing;
the session commits only when the block ends without an exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine.interfaces import DBAPICursor, ExecutionContext
from sqlalchemy.orm import Session, sessionmaker

from bordermark.settings import get_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


_LAZY = "bordermark_lazy_begin"
_READ_HEADS = ("SELECT", "WITH", "SHOW")


def _is_plain_read(statement: str) -> bool:
    """True for a statement that neither writes nor locks, so it may run outside a transaction.

    ``WITH`` may hide a data-modifying CTE; ``FOR UPDATE``/``FOR SHARE`` and ``pg_advisory_xact_lock`` take
    locks held until commit; ``nextval``/``set_config`` change state: all count as writes and start the
    transaction first.
    """
    head = statement.lstrip()[:6].upper()
    if not head.startswith(_READ_HEADS):
        return False
    upper = statement.upper()
    if any(w in upper for w in (" FOR UPDATE", " FOR SHARE", " FOR NO KEY", " FOR KEY", "ADVISORY", "NEXTVAL(",
                                "SETVAL(", "SET_CONFIG(")):
        return False
    if head.startswith("WITH"):
        return not any(w in upper for w in ("INSERT ", "UPDATE ", "DELETE ", "MERGE "))
    return True


def _lazy_begin(conn: Any, cursor: DBAPICursor, statement: str, parameters: Any, context: ExecutionContext | None,
                executemany: bool) -> None:
    """Begin the real transaction just before the first statement that writes or locks.

    Why: a unit of work starts in autocommit, so a request that only reads costs no BEGIN and no COMMIT round
    trip. At PostgreSQL's READ COMMITTED level every statement of a transaction takes a fresh snapshot anyway, so
    reads before the first write see exactly what they would have seen inside the transaction; from the first
    write on, everything (the write, later reads, the audit entry) is one transaction committed or rolled back
    together as before.
    """
    if not conn._execution_options.get(_LAZY):
        return
    dbapi_conn = conn.connection.dbapi_connection
    if dbapi_conn is not None and dbapi_conn.autocommit and not _is_plain_read(statement):
        dbapi_conn.autocommit = False  # psycopg sends BEGIN with the next statement


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    # No pool_pre_ping: it costs a round trip per checkout. Connections are recycled after 30 minutes instead, and
    # a connection broken by a database restart fails one request and is then replaced by the pool.
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800)
    event.listen(engine, "before_cursor_execute", _lazy_begin)
    return engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class Store:
    """A database with Bordermark's schema; create with :func:`open_store`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        bind = self.engine
        if self.engine.dialect.name == "postgresql":
            # units of work start in autocommit and begin the transaction at the first write (see _lazy_begin)
            bind = self.engine.execution_options(isolation_level="AUTOCOMMIT", **{_LAZY: True})
        self._sessions = sessionmaker(bind, expire_on_commit=False)

    def migrate(self) -> None:
        """Bring the schema to the newest revision (every head: one since 0005 merged the concept branches)."""
        cfg = alembic_config(self.url)
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")

    def is_initialised(self) -> bool:
        return inspect(self.engine).has_table("alembic_version")

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    store = Store(url or get_settings().database_url)
    if migrate:
        store.migrate()
    return store
