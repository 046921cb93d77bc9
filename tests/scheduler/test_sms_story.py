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
from bot.booking.config import EngineConfig
from bot.booking.schemas import SlotOut
from bot.config import Settings
from bot.db import make_engine, make_session_factory, utcnow
from bot.scheduler.notifier import ChannelsNotifier
from bot.scheduler.quiet import end_of_quiet, is_quiet
from bot.scheduler.worker import TickReport, Worker
from tests.support.booking import booking_call
from tests.support.providers import sms_to
from tests.support.stack import Phone, book_by_sms, stack_with_fakes

pytestmark = pytest.mark.rasa

HOLDER, WAITING, BOTH = "+33611110061", "+33611110062", "+33611110063"


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


def _fill_the_rest_of_the_day(
    settings: Settings, slot: SlotOut, phones: str = "+336222", numeros: str = "76"
) -> list[tuple[str, str]]:
    """Every other place of that day taken by other applicants (through the API), so that B,
    who asks for that day only, can only wait. Returns their (code, phone)."""
    day = slot.local_start.date()

    async def fill(api: BookingClient) -> list[tuple[str, str]]:
        taken: list[tuple[str, str]] = []
        found = await api.search(slot.demarche, slot.site, date_from=day, date_to=day, limit=50)
        for free in found.slots:
            for _ in range(free.places_left):
                phone = f"{phones}{len(taken) + 1:05d}"
                booked = await api.book(
                    free.id, phone, numero_etranger=f"{numeros}{len(taken) + 1:08d}"
                )
                taken.append((booked.code, phone))
        assert (await api.search(slot.demarche, slot.site, date_from=day, date_to=day)).slots == []
        return taken

    return booking_call(settings.api_url, fill)


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
    url = settings.api_url
    holder, waiting = (
        Phone(gateway, settings.public_url, HOLDER),
        Phone(gateway, settings.public_url, WAITING),
    )

    # A books by SMS conversation (Rasa understands, the action server books through the API).
    code, transcript = book_by_sms(holder, "7501234561")
    [held] = booking_call(url, lambda api: api.my_bookings(HOLDER))
    slot = held.slot
    assert (slot.site, slot.demarche) == ("pref-38", "carte_resident_renouvellement"), transcript
    starts_at = slot.starts_at
    day = slot.local_start.date()

    # B waits for that very day (through the booking API, as the waitlist action does).
    _fill_the_rest_of_the_day(settings, slot)
    booking_call(
        url,
        lambda api: api.join_waitlist(
            WAITING, slot.demarche, slot.site, not_before=day, not_after=day
        ),
    )
    assert (
        booking_call(url, lambda api: api.my_offers(WAITING)) == []
    )  # nothing free that day: B waits
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
    assert booking_call(url, lambda api: api.verify(code)).valid is False
    [offer] = booking_call(url, lambda api: api.my_offers(WAITING))
    assert offer.slot.id == slot.id

    # The worker pushes the offer (after the night's quiet hours if the test runs at night).
    now = utcnow()
    _worker_tick(settings, factory, end_of_quiet(now) if is_quiet(now) else now)
    [offer_sms] = sms_to(twilio, WAITING)
    assert "OUI" in offer_sms, offer_sms

    # B replies OUI (signed SMS) and now holds A's former place.
    [confirmation] = waiting.send("OUI")
    [mine] = booking_call(url, lambda api: api.my_bookings(WAITING))
    assert mine.slot.id == slot.id and display_code(mine.code) in confirmation, confirmation
    assert booking_call(url, lambda api: api.verify(mine.code)).valid is True
    engine.dispose()


def test_oui_after_the_assistants_question_is_the_assistants_even_with_an_offer_pending(stack):
    """Issue 14: a reply word answers the question last asked. C holds an appointment and waits
    for an earlier place; the place comes (offer by SMS), then C asks the assistant to cancel the
    appointment: the OUI that follows answers the assistant, not the offer."""
    settings, gateway, twilio = stack
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    url = settings.api_url
    person = Phone(gateway, settings.public_url, BOTH)

    # C holds a duplicata appointment and waits for a renewal day that is full.
    duplicata = booking_call(url, lambda api: api.search("duplicata_titre", "pref-38")).slots[0]
    held = booking_call(url, lambda api: api.book(duplicata.id, BOTH, numero_etranger="7509999991"))
    renewal = booking_call(
        url, lambda api: api.search("carte_resident_renouvellement", "pref-38")
    ).slots[0]
    day = renewal.local_start.date()
    fillers = _fill_the_rest_of_the_day(settings, renewal, phones="+336333", numeros="77")
    booking_call(
        url,
        lambda api: api.join_waitlist(
            BOTH, "carte_resident_renouvellement", "pref-38", not_before=day, not_after=day
        ),
    )
    code, phone = fillers[0]
    booking_call(url, lambda api: api.cancel(code, phone=phone))
    now = utcnow()
    _worker_tick(settings, factory, end_of_quiet(now) if is_quiet(now) else now)
    [offer_sms] = sms_to(twilio, BOTH)
    assert "OUI" in offer_sms, offer_sms

    # Then C talks to the assistant, which asks whether to cancel the duplicata appointment.
    transcript = [f"> {text}\n" + "\n".join(person.send(text)) for text in ("Bonjour", "1")]
    question = person.send("Je veux annuler mon rendez-vous")
    transcript.append("\n".join(question))
    assert display_code(held.code) in "\n".join(question), "\n".join(transcript)

    # OUI answers the assistant: the duplicata is cancelled, the offer still waits for C.
    answer = person.send("OUI")
    assert any("annulé" in r for r in answer), "\n".join([*transcript, *answer])
    assert booking_call(url, lambda api: api.verify(held.code)).valid is False
    assert [o.status for o in booking_call(url, lambda api: api.my_offers(BOTH))] == ["pending"]
    assert booking_call(url, lambda api: api.my_bookings(BOTH)) == []
    engine.dispose()
