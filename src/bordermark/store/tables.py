"""Imports every table module so that ``Base.metadata`` is complete (for Alembic and tests).

Add a line here when a new concept gets its own table module.
"""

from bordermark.store import registry_tables  # noqa: F401
from bordermark.store import account_tables  # noqa: F401
from bordermark.store import screen_tables  # noqa: F401
from bordermark.store import case_tables  # noqa: F401
from bordermark.store import audit_tables  # noqa: F401
