"""The booking API from synchronous tests, as the stack's own service calls it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager

import pytest

from bot.booking.client import BookingClient
from bot.booking.errors import BookingError

# The service credential of every test gateway (Settings.service_token): the action server's.
SERVICE_TOKEN = "test-service-token"
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def booking_call[T](base_url: str, use: Callable[[BookingClient], Awaitable[T]]) -> T:
    """Calls the booking API from a synchronous test: a client of its own, closed after."""

    async def once() -> T:
        async with BookingClient(base_url, token=SERVICE_TOKEN) as api:
            return await use(api)

    return asyncio.run(once())


def refused(code: str) -> AbstractContextManager[pytest.ExceptionInfo[BookingError]]:
    """The engine refuses with this code (its message starts "code:")."""
    return pytest.raises(BookingError, match=f"^{code}:")
