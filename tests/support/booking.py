"""The booking API from synchronous tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.booking.client import BookingClient


def booking_call[T](base_url: str, use: Callable[[BookingClient], Awaitable[T]]) -> T:
    """Calls the booking API from a synchronous test: a client of its own, closed after."""

    async def once() -> T:
        async with BookingClient(base_url) as api:
            return await use(api)

    return asyncio.run(once())
