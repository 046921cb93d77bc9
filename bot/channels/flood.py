"""Per-sender flood control: a sliding one-minute window, and one notice per burst."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable

WINDOW_SECONDS = 60.0


class FloodGate:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[Hashable, deque[float]] = {}
        self._noticed_until: dict[Hashable, float] = {}

    def _window(self, key: Hashable) -> deque[float]:
        now = self.clock()
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - WINDOW_SECONDS:
            seen.popleft()
        return seen

    def allow(self, key: Hashable) -> bool:
        """True (and counted) when the sender is within the rate."""
        seen = self._window(key)
        if self.per_minute > 0 and len(seen) >= self.per_minute:
            return False
        seen.append(self.clock())
        return True

    def first_notice(self, key: Hashable) -> bool:
        """True once per burst: the sender hears "we will read again shortly" only once."""
        now = self.clock()
        if self._noticed_until.get(key, 0.0) > now:
            return False
        seen = self._seen.get(key)
        self._noticed_until[key] = (seen[0] if seen else now) + WINDOW_SECONDS
        return True
