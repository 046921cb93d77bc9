"""Issue 6's "done means", end to end with real Rasa: A books through the SMS conversation
(signed webhooks, French), B waits for that day; the worker at T−48 h sends A's reminder once;
A replies ANNULER; the freed place is pushed to B by SMS; B replies OUI and holds a booking.

Everything runs for real (gateway over HTTP, action server, Rasa with the trained model, SQLite);
only Twilio's server is played locally. The gateway answers with the real clock; the worker
gets a controlled one."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.booking.client import BookingClient
from bot.booking.codes import display_code
from bot.booking.engine import EngineConfig
from bot.config import Settings
from bot.db import make_engine, make_session_factory, utcnow
from bot.scheduler.notifier import ChannelsNotifier
from bot.scheduler.quiet import end_of_quiet, is_quiet
from bot.scheduler.worker import TickReport, Worker
from tests.channels.stack import Phone, book_by_sms, stack_with_fakes
from tests.scheduler.fakes import sms_to

pytestmark = pytest.mark.rasa

HOLDER, WAITING = "+33611110061", "+33611110062"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with stack_with_fakes(tmp_path_factory.mktemp("sms-story")) as (
        settings,
        rasa,
        gateway,
        twilio,
        _tg,
    ):
        rasa.start()
        yield settings, gateway, twilio


def _fill_the_rest_of_the_day(settings: Settings, slot: dict) -> int:
    """Every other place of that day taken by other applicants (through the API), so that B,
    who asks for that day only, can only wait."""
    day = datetime.fromisoformat(slot["local_start"]).date()
    taken = 0
    with BookingClient(settings.api_url) as api:
        found = api.search(slot["demarche"], slot["site"], date_from=day, date_to=day, limit=50)
        for free in found["slots"]:
            for _ in range(free["places_left"]):
                taken += 1
                api.book(free["id"], f"+336222{taken:05d}", numero_etranger=f"76{taken:08d}")
        assert api.search(slot["demarche"], slot["site"], date_from=day, date_to=day)["slots"] == []
    return taken


def _worker_tick(settings: Settings, factory: sessionmaker[Session], at: datetime) -> TickReport:
    notifier = ChannelsNotifier(settings, factory)
    try:
        return Worker(
            factory, EngineConfig.from_settings(settings), notifier, clock=lambda: at
        ).tick()
    finally:
        notifier.close()


def test_sms_booking_reminded_cancelled_by_sms_and_taken_by_the_waitlist_with_oui(stack):
    settings, gateway, twilio = stack
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    api = BookingClient(settings.api_url)
    holder, waiting = (
        Phone(gateway, settings.public_url, HOLDER),
        Phone(gateway, settings.public_url, WAITING),
    )

    # A books by SMS conversation (Rasa understands, the action server books through the API).
    code, transcript = book_by_sms(holder, "7501234561")
    [held] = api.my_bookings(HOLDER)
    slot = held["slot"]
    assert (slot["site"], slot["demarche"]) == ("pref-38", "carte_resident_renouvellement"), (
        transcript
    )
    starts_at = datetime.fromisoformat(slot["starts_at"])
    day = datetime.fromisoformat(slot["local_start"]).date()

    # B waits for that very day (through the booking API, as the waitlist action does).
    _fill_the_rest_of_the_day(settings, slot)
    api.join_waitlist(WAITING, slot["demarche"], slot["site"], not_before=day, not_after=day)
    assert api.my_offers(WAITING) == []  # nothing free that day: B waits
    assert sms_to(twilio, HOLDER) == []  # the conversation answered in TwiML, nothing pushed yet

    # The worker 48 h before the appointment, and again an hour later: one reminder only.
    at = starts_at - timedelta(hours=48)
    # (The other applicants of that day get theirs too: only A's phone is checked here.)
    _worker_tick(settings, factory, at - timedelta(minutes=1))
    assert sms_to(twilio, HOLDER) == []  # not a minute early
    assert _worker_tick(settings, factory, at).dispatched.sent >= 1
    _worker_tick(settings, factory, at + timedelta(hours=1))
    [reminder] = sms_to(twilio, HOLDER)
    assert code in reminder and "ANNULER" in reminder, reminder

    # A replies ANNULER (signed SMS): the place is freed and offered to B in the same transaction.
    [answer] = holder.send("ANNULER")
    assert code in answer, answer
    assert api.verify(code)["valid"] is False
    [offer] = api.my_offers(WAITING)
    assert offer["slot"]["id"] == slot["id"]

    # The worker pushes the offer (after the night's quiet hours if the test runs at night).
    now = utcnow()
    _worker_tick(settings, factory, end_of_quiet(now) if is_quiet(now) else now)
    [offer_sms] = sms_to(twilio, WAITING)
    assert "OUI" in offer_sms, offer_sms

    # B replies OUI (signed SMS) and now holds A's former place.
    [confirmation] = waiting.send("OUI")
    [mine] = api.my_bookings(WAITING)
    assert mine["slot"]["id"] == slot["id"] and display_code(mine["code"]) in confirmation, (
        confirmation
    )
    assert api.verify(mine["code"])["valid"] is True
    api.close()
    engine.dispose()
