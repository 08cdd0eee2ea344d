"""Login throttling: a sliding window of failed attempts per username and per client address.

Why in memory: one ``bordermark serve`` process answers the pages; a restart forgets the counters, which is an
acceptable trade for no extra infrastructure. Both keys are checked so that guessing one account from many
addresses, or many accounts from one address, are both slowed down.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class LoginLimiter:
    def __init__(self, max_failures: int = 5, window_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def retry_after(self, username: str, address: str) -> float:
        """Seconds to wait before another attempt is allowed; 0 when allowed now."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in (f"u:{username.casefold()}", f"a:{address}"):
                q = self._trim(key, now)
                limit = self.max_failures if key.startswith("u:") else self.max_failures * 4
                if len(q) >= limit:
                    wait = max(wait, self.window_s - (now - q[0]))
        return wait

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key in (f"u:{username.casefold()}", f"a:{address}"):
                self._trim(key, now).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(f"u:{username.casefold()}", None)
