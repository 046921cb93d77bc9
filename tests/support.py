"""Helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import pytest

from bot.booking.client import BookingClient

T = TypeVar("T")


def unavailable(reason: str) -> NoReturn:
    """Skips a test whose real dependency is missing — except in CI, where nothing may skip silently."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def booking_call(base_url: str, use: Callable[[BookingClient], Awaitable[T]]) -> T:
    """Calls the booking API from a synchronous test: a client of its own, closed after."""

    async def once() -> T:
        async with BookingClient(base_url) as api:
            return await use(api)

    return asyncio.run(once())
