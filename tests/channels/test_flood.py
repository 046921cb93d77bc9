from types import SimpleNamespace

import pytest

from bot.channels.flood import FloodGate
from bot.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The time of the limiter's in-memory store (the `limits` library reads time.time())."""
    fake = Clock()
    monkeypatch.setattr("limits.storage.memory.time", SimpleNamespace(time=fake))
    return fake


def test_rate_per_sliding_minute_and_one_notice_per_burst(clock):
    gate = FloodGate(per_minute=3, limiter=RateLimiter())
    assert [gate.allow("a") for _ in range(3)] == [True, True, True]
    assert gate.allow("a") is False
    assert gate.allow("b") is True  # per sender
    assert gate.first_notice("a") is True
    assert gate.first_notice("a") is False
    clock.now += 30
    assert gate.allow("a") is False and gate.first_notice("a") is False
    clock.now += 30.5  # the first three messages left the window
    assert gate.allow("a") is True
    for _ in range(2):
        gate.allow("a")
    assert gate.allow("a") is False
    assert gate.first_notice("a") is True  # a new burst, a new notice


def test_zero_disables_flood_control(clock):
    gate = FloodGate(per_minute=0, limiter=RateLimiter())
    assert all(gate.allow("a") for _ in range(500))
