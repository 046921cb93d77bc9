from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.deadlines import NoDeadline
from bot.scheduler.planning import subscribe_deadline
from bot.scheduler.quiet import end_of_quiet, is_quiet, may_send
from tests.support.providers import sms_to

PHONE = "+33612345678"


def at(month: int, day: int, hour: int = 8) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)  # hour UTC = hour + 2 in summer


def test_deadline_alerts_when_the_window_opens_and_before_it_closes(
    world, make_worker, twilio, clock
):
    with world.begin() as session:
        subscribe_deadline(
            session,
            PHONE,
            "carte_resident_renouvellement",
            date(2026, 6, 30),
            language="fr",
            now=clock(),
        )
    # The window runs from 30 April to 30 June (catalogue deadlines, seed 002).
    for moment, expected in [
        (at(4, 29), 0),
        (at(4, 30, 7), 0),  # 9h Paris: alerts wait for 10h
        (at(4, 30), 1),
        (at(5, 2), 1),
        (at(6, 15), 1),
        (at(6, 16), 2),  # 14 days before the end
        (at(6, 20), 2),
    ]:
        clock.now = moment
        make_worker().tick()
        assert len(sms_to(twilio, PHONE)) == expected, moment
    opened, closing = sms_to(twilio, PHONE)
    assert "expire le mardi 30 juin 2026" in opened and "RDV" in opened
    assert closing.startswith("Attention") and "mardi 30 juin 2026" in closing


def test_agreeing_inside_the_window_brings_only_the_closing_alert(
    world, make_worker, twilio, clock
):
    # The conversation has just said the window is open: no second "you can apply now".
    clock.now = at(5, 2)
    with world.begin() as session:
        subscribe_deadline(
            session,
            PHONE,
            "carte_resident_renouvellement",
            date(2026, 6, 30),
            language="fr",
            now=clock(),
        )
    for moment, expected in [(at(5, 2), 0), (at(5, 3), 0), (at(6, 15), 0), (at(6, 16), 1)]:
        clock.now = moment
        make_worker().tick()
        assert len(sms_to(twilio, PHONE)) == expected, moment
    assert sms_to(twilio, PHONE)[0].startswith("Attention")


def test_a_demarche_without_window_cannot_be_subscribed(world, clock):
    with world.begin() as session, pytest.raises(NoDeadline):
        subscribe_deadline(
            session, PHONE, "naturalisation", date(2026, 6, 30), language="fr", now=clock()
        )


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (datetime(2026, 1, 12, 19, 59, tzinfo=UTC), False),  # 20h59 Paris
        (datetime(2026, 1, 12, 20, 0, tzinfo=UTC), True),
        (datetime(2026, 7, 12, 5, 59, tzinfo=UTC), True),  # 7h59 summer time
        (datetime(2026, 7, 12, 6, 0, tzinfo=UTC), False),
    ],
)
def test_quiet_hours_are_paris_hours_in_winter_and_summer(moment, quiet):
    assert is_quiet(moment) is quiet


def test_quiet_hours_give_way_only_to_a_deadline_before_the_morning():
    night = datetime(2026, 1, 12, 22, 0, tzinfo=UTC)
    assert end_of_quiet(night) == datetime(2026, 1, 13, 7, 0, tzinfo=UTC)
    assert not may_send(night, None)
    assert not may_send(night, datetime(2026, 1, 13, 10, 0, tzinfo=UTC))
    assert may_send(night, datetime(2026, 1, 13, 7, 30, tzinfo=UTC))


def test_alerts_are_agreed_and_stopped_through_the_api(world, gateway, make_worker, twilio, clock):
    agreed = gateway.post(
        "/api/deadline-alerts",
        json={
            "phone": "06 12 34 56 78",
            "demarche": "carte_resident_renouvellement",
            "expiry": "2026-06-30",
            "language": "fr",
        },
    )
    assert agreed.status_code == 201, agreed.text
    assert agreed.json()["window_opens"] == "2026-04-30"
    refused = gateway.post(
        "/api/deadline-alerts",
        json={"phone": PHONE, "demarche": "naturalisation", "expiry": "2026-06-30"},
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "no_filing_window"
    clock.now = at(5, 4)
    make_worker().tick()
    assert len(sms_to(twilio, PHONE)) == 1
    stopped = gateway.post(
        "/api/deadline-alerts/cancel",
        json={"phone": PHONE, "demarche": "carte_resident_renouvellement"},
    )
    assert stopped.json() == {"cancelled": 1}
    clock.now = at(6, 20)
    make_worker().tick()
    assert len(sms_to(twilio, PHONE)) == 1
