"""Per-sender flood control: a sliding one-minute window, and one notice per burst, counted by
the gateway's rate limiter (bot/ratelimit.py), so every gateway process shares them."""

from __future__ import annotations

from bot.ratelimit import RateLimiter
from bot.ratelimit import per_minute as minute_rule

# A burst lasts until its first message leaves the one-minute window; one notice per burst.
NOTICE_RULE = "1/minute"


class FloodGate:
    def __init__(self, per_minute: int, limiter: RateLimiter | None = None):
        self.per_minute = per_minute
        self.limiter = limiter or RateLimiter()
        self._rule = minute_rule(per_minute)

    def allow(self, key: tuple[str, str] | str) -> bool:
        """True (and counted) when the sender is within the rate."""
        return self.limiter.hit(self._rule, "flood", *_parts(key)).allowed

    def first_notice(self, key: tuple[str, str] | str) -> bool:
        """True once per burst: the sender hears "we will read again shortly" only once."""
        return self.limiter.hit(NOTICE_RULE, "flood-notice", *_parts(key)).allowed


def _parts(key: tuple[str, str] | str) -> tuple[str, ...]:
    return key if isinstance(key, tuple) else (key,)
