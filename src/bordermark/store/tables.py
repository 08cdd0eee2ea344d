"""Imports every table module so that ``Base.metadata`` is complete (for Alembic and tests).

Add a line here when a new concept gets its own table module.
"""

from bordermark.store import (
    account_tables,  # noqa: F401
    audit_tables,  # noqa: F401
    case_tables,  # noqa: F401
    registry_tables,  # noqa: F401
    screen_tables,  # noqa: F401
)
