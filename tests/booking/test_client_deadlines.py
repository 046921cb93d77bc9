"""BookingClient's deadline-alert calls against a real gateway (uvicorn, SQLite)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.booking.client import BookingClient, BookingRefused
from bot.deadlines import assess
from bot.scheduler.models import DeadlineSubscription
from tests.support.world import PHONE_A, RESIDENT


def test_agree_then_stop_deadline_alerts(server, sqlite_factory, clock):
    with BookingClient(server) as client:
        agreed = client.agree_to_deadline_alerts(PHONE_A, RESIDENT, date(2026, 6, 30), language="ar")
        # Renewal of a carte de résident: file from two months before the expiry (seed 002).
        rule = assess(date(2026, 6, 30), RESIDENT, clock().date())
        assert agreed["window_opens"] == "2026-04-30" == rule.window_opens.isoformat()
        assert agreed["window_closes"] == rule.window_closes.isoformat()
        assert agreed["demarche"] == RESIDENT and agreed["expiry"] == "2026-06-30"
        with sqlite_factory() as session:
            row = session.scalars(select(DeadlineSubscription)).one()
            assert (row.phone, row.language, row.cancelled_at) == (PHONE_A, "ar", None)
        assert client.stop_deadline_alerts(PHONE_A, RESIDENT) == {"cancelled": 1}
        assert client.stop_deadline_alerts(PHONE_A, RESIDENT) == {"cancelled": 0}
    with sqlite_factory() as session:
        assert session.scalars(select(DeadlineSubscription)).one().cancelled_at is not None


def test_deadline_alert_refusals_are_typed(server):
    with BookingClient(server) as client:
        with pytest.raises(BookingRefused) as refused:
            client.agree_to_deadline_alerts(PHONE_A, "naturalisation", date(2026, 6, 30))
        assert refused.value.code == "no_filing_window" and refused.value.status == 422
        assert refused.value.message
        with pytest.raises(BookingRefused) as refused:
            client.stop_deadline_alerts("garbage", RESIDENT)
        assert refused.value.code == "invalid_phone"
