"""Rate limits shared by every gateway process: in Redis when GUICHET_REDIS_URL is set, in this
process's memory otherwise. Built on the `limits` library (moving windows).

A rule is a `limits` string such as "3/second;300/minute" (every part must pass); an empty rule
or "0" means no limit. Keys are keyed hashes of what they count (an IP, a phone, a credential):
Redis never holds a phone in clear.

When Redis does not answer, requests pass (and a warning is logged): an outage of the limiter
must not become an outage of the service.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from dataclasses import dataclass
from functools import cache

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bot.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # whole seconds before the same request would pass


ALLOWED = Verdict(True)


@cache
def _items(rule: str) -> tuple[RateLimitItem, ...]:
    rule = rule.strip()
    if rule in ("", "0"):
        return ()
    return tuple(parse_many(rule))


def per_minute(count: int) -> str:
    """The rule for `count` per minute; 0 or less means no limit."""
    return f"{count}/minute" if count > 0 else ""


class RateLimiter:
    def __init__(
        self, storage_uri: str = "memory://", *, secret: str = "", prefix: str = "guichet"
    ):
        options: dict[str, str] = {}
        if storage_uri.startswith(("redis://", "rediss://")):
            options["key_prefix"] = prefix
        self._storage = storage_from_string(storage_uri, **options)
        self._strategy = MovingWindowRateLimiter(self._storage)
        self._secret = (secret or "guichet").encode()
        self.shared = not storage_uri.startswith("memory://")

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        return cls(settings.redis_url or "memory://", secret=settings.secret_key)

    def _key(self, parts: tuple[str, ...]) -> str:
        return hmac.new(self._secret, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()[:32]

    def hit(self, rule: str, *key: str) -> Verdict:
        """Counts one request for `key` under `rule` when every window has room."""
        items = _items(rule)
        if not items:
            return ALLOWED
        hashed = self._key(key)
        try:
            for item in items:
                if not self._strategy.test(item, hashed):
                    return self._refusal(item, hashed)
            for item in items:
                if not self._strategy.hit(item, hashed):  # a concurrent request took the room
                    return self._refusal(item, hashed)
        except Exception as exc:  # the store is away: let the request through
            log.warning("rate limiter unavailable (%s); request allowed", type(exc).__name__)
        return ALLOWED

    def _refusal(self, item: RateLimitItem, hashed: str) -> Verdict:
        reset = self._strategy.get_window_stats(item, hashed).reset_time
        return Verdict(False, max(1, math.ceil(reset - time.time())))

    def clear(self, rule: str, *key: str) -> None:
        hashed = self._key(key)
        for item in _items(rule):
            self._strategy.clear(item, hashed)
