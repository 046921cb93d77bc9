"""The booking API in tests: the gateway over the small world with the test credentials, and
calls from synchronous tests as the stack's own service makes them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from bot.booking.client import BookingClient
from bot.booking.errors import BookingError
from bot.config import Settings
from bot.gateway.app import create_app
from tests.support import world

# The service credential of every test gateway (Settings.service_token): the action server's.
SERVICE_TOKEN = "test-service-token"
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
ADMIN_TOKEN = "s3cret"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def gateway_settings(**more: Any) -> Settings:
    """The gateway's settings in tests: an in-memory database and the test credentials."""
    base = {"database_url": "sqlite://", "secret_key": "test-key", "service_token": SERVICE_TOKEN}
    return Settings(**(base | more))


def published_app(
    factory: sessionmaker[Session], clock: Callable[[], Any], **settings: Any
) -> FastAPI:
    """The gateway over the small world, its slots published (tests/support/world.py)."""
    with factory.begin() as session:
        world.build_and_publish(session, now=clock())
    return create_app(gateway_settings(**settings), factory, clock=clock)


def booking_call[T](base_url: str, use: Callable[[BookingClient], Awaitable[T]]) -> T:
    """Calls the booking API from a synchronous test: a client of its own, closed after."""

    async def once() -> T:
        async with BookingClient(base_url, token=SERVICE_TOKEN) as api:
            return await use(api)

    return asyncio.run(once())


def refused(code: str) -> AbstractContextManager[pytest.ExceptionInfo[BookingError]]:
    """The engine refuses with this code (its message starts "code:")."""
    return pytest.raises(BookingError, match=f"^{code}:")
