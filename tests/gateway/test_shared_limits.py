"""Rate limits shared by every gateway process through Redis (GUICHET_REDIS_URL): two app
instances, one limit; and the per-number flood limit is the same across processes."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from bot.channels.flood import FloodGate
from bot.config import Settings
from bot.gateway.app import create_app
from bot.ratelimit import RateLimiter
from tests.support.booking import SERVICE, SERVICE_TOKEN
from tests.support.skips import unavailable
from tests.support.world import PHONE_A

REDIS_URL = "redis://127.0.0.1:6379"


@pytest.fixture
def redis_settings() -> Settings:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:
        unavailable(f"Redis unreachable at {REDIS_URL} ({type(exc).__name__})")
    # A secret of its own: the limiter's keys are keyed hashes, so no run sees another's counts.
    return Settings(
        database_url="sqlite://",
        secret_key=f"test-{uuid.uuid4().hex}",
        service_token=SERVICE_TOKEN,
        redis_url=REDIS_URL,
    )


def test_two_gateways_share_the_per_ip_limit(redis_settings, sqlite_factory):
    settings = Settings(**{**redis_settings.__dict__, "rate_per_ip": "3/minute"})
    first = TestClient(create_app(settings, sqlite_factory))
    second = TestClient(create_app(settings, sqlite_factory))
    codes = [
        client.get("/api/v1/demarches").status_code for client in (first, second, first, second)
    ]
    assert codes == [200, 200, 200, 429]


def test_two_gateways_share_the_per_phone_limit(redis_settings, sqlite_factory):
    settings = Settings(**{**redis_settings.__dict__, "rate_per_phone": "2/minute"})
    first = TestClient(create_app(settings, sqlite_factory), headers=SERVICE)
    second = TestClient(create_app(settings, sqlite_factory), headers=SERVICE)
    codes = [c.post("/api/v1/proof", json={"phone": PHONE_A}).status_code for c in (first, second)]
    refused = first.post("/api/v1/proof", json={"phone": PHONE_A})
    assert codes == [200, 200] and refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_the_flood_limit_is_shared_across_processes(redis_settings):
    one, other = (
        FloodGate(per_minute=3, limiter=RateLimiter.from_settings(redis_settings)) for _ in "ab"
    )
    sender = ("sms", "+33612345678")
    assert [one.allow(sender), other.allow(sender), one.allow(sender)] == [True, True, True]
    assert other.allow(sender) is False
    assert one.first_notice(sender) is True and other.first_notice(sender) is False


def test_without_redis_the_limiter_lets_requests_through(caplog):
    limiter = RateLimiter("redis://127.0.0.1:1", secret="x")
    assert limiter.hit("1/minute", "k").allowed and limiter.hit("1/minute", "k").allowed
