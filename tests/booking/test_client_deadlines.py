"""The async BookingClient's deadline-alert calls against a real gateway (uvicorn, SQLite)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.booking.client import BookingClient, BookingRefused
from bot.deadlines import assess
from bot.scheduler.models import DeadlineSubscription
from tests.support.booking import SERVICE_TOKEN
from tests.support.world import PHONE_A, RESIDENT


@pytest.mark.anyio
async def test_agree_then_stop_deadline_alerts(server, sqlite_factory, clock):
    async with BookingClient(server, token=SERVICE_TOKEN) as client:
        agreed = await client.agree_to_deadline_alerts(
            PHONE_A, RESIDENT, date(2026, 6, 30), language="ar"
        )
        # Renewal of a carte de résident: file from two months before the expiry (seed 002).
        rule = assess(date(2026, 6, 30), RESIDENT, clock().date())
        assert agreed.window_opens.isoformat() == "2026-04-30" == rule.window_opens.isoformat()
        assert agreed.window_closes.isoformat() == rule.window_closes.isoformat()
        assert agreed.demarche == RESIDENT and agreed.expiry.isoformat() == "2026-06-30"
        with sqlite_factory() as session:
            row = session.scalars(select(DeadlineSubscription)).one()
            assert (row.phone, row.language, row.cancelled_at) == (PHONE_A, "ar", None)
        assert (await client.stop_deadline_alerts(PHONE_A, RESIDENT)).model_dump() == {
            "cancelled": 1
        }
        assert (await client.stop_deadline_alerts(PHONE_A, RESIDENT)).model_dump() == {
            "cancelled": 0
        }
    with sqlite_factory() as session:
        assert session.scalars(select(DeadlineSubscription)).one().cancelled_at is not None


@pytest.mark.anyio
async def test_deadline_alert_refusals_are_typed(server):
    async with BookingClient(server, token=SERVICE_TOKEN) as client:
        with pytest.raises(BookingRefused) as refused:
            await client.agree_to_deadline_alerts(PHONE_A, "naturalisation", date(2026, 6, 30))
        assert refused.value.code == "no_filing_window" and refused.value.status == 422
        assert refused.value.message
        with pytest.raises(BookingRefused) as refused:
            await client.stop_deadline_alerts("garbage", RESIDENT)
        assert refused.value.code == "invalid_phone"
