"""Run one function in several threads at once and collect what they raised (for the concurrent-writer tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_in_threads(work: Callable[[int], None], n: int = 4) -> list[BaseException]:
    """Start ``work(0) .. work(n - 1)`` together, wait for all, return their exceptions (empty when none)."""
    errors: list[BaseException] = []

    def guarded(k: int) -> None:
        try:
            work(k)
        except BaseException as exc:  # reported to the caller, which asserts on it
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
