"""Throttle API-key guessing: too many wrong keys from one client → 429 with Retry-After.

Without it, 300 wrong keys took 0.7 s. Each client (its IP address as the server sees it; behind a
reverse proxy that is the proxy, so rate-limit there too) may fail ``limit`` times within
``window_s`` seconds; after that every attempt from it — even with the right key — is refused until
its oldest failure leaves the window. Successful attempts cost nothing. Memory is bounded: at most
``max_clients`` clients are tracked, the least recently failing forgotten first.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_CLIENTS = 10_000


class FailedKeyAttempts:
    """Sliding-window count of failed API-key attempts per client (thread-safe)."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_clients = max_clients
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.get(client, deque())
        while times and now - times[0] >= self.window_s:
            times.popleft()
        return times

    def retry_after(self, client: str) -> int | None:
        """Seconds until ``client`` may try again, or None when it may try now."""
        with self._lock:
            now = self._clock()
            times = self._recent(client, now)
            if not times:
                self._failures.pop(client, None)
                return None
            if len(times) < self.limit:
                return None
            return max(1, math.ceil(self.window_s - (now - times[0])))

    def record_failure(self, client: str) -> None:
        """Count one wrong or missing key from ``client``."""
        with self._lock:
            now = self._clock()
            times = self._recent(client, now)
            times.append(now)
            self._failures[client] = times
            self._failures.move_to_end(client)
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)
