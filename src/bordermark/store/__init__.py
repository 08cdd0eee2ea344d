"""Persistence: SQLAlchemy 2 tables, Alembic migrations, engines and sessions for SQLite and PostgreSQL."""

from bordermark.store.base import Base
from bordermark.store.engine import Store, open_store

__all__ = ["Base", "Store", "open_store"]
