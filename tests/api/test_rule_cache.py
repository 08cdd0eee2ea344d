"""The rule cache of a server process freezes the long-lived heap once, after its first screen is built."""

from __future__ import annotations

import gc

from bordermark.api.records_ops import RuleCache
from bordermark.store import Store


def test_first_build_freezes_the_heap_once(sqlite_store: Store) -> None:
    plain = RuleCache()
    plain.get(sqlite_store)
    assert gc.get_freeze_count() == 0  # tests and the CLI keep the normal collector
    cache = RuleCache(ttl_s=0.0, freeze_heap=True)
    try:
        first = cache.get(sqlite_store)
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with cache._build_lock:  # a rebuild (registry refresh) does not collect and freeze again
            cache._build(sqlite_store)
        assert gc.get_freeze_count() <= frozen and first is not None  # old objects may be freed, none added
    finally:
        gc.unfreeze()
