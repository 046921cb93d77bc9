from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.booking import bookings
from bot.booking.codes import display_code
from bot.booking.models import Booking, Slot
from bot.catalogue import get_catalogue
from bot.channels.models import Contact, PreferredChannel
from bot.channels.phone_link import prefer
from bot.scheduler.models import DeadlineSubscription, ScheduledMessage
from bot.scheduler.notifier import ChannelsNotifier, Envelope, Receipt
from bot.scheduler.planning import plan_all
from tests.support.channels import SmsPhone
from tests.support.providers import sms_to, telegram_refusing
from tests.support.world import CONFIG

PHONE = "+33612345678"
STARTS = datetime(2026, 1, 20, 13, 0, tzinfo=UTC)  # Tuesday 14h00 Paris


class Crash(BaseException):
    """The process dies (not an exception anybody catches)."""


def book(factory, clock, phone: str = PHONE) -> str:
    with factory.begin() as session:
        slot = session.scalars(select(Slot)).one()
        return bookings.book(
            session, CONFIG, bookings.BookRequest(slot.id, phone), now=clock()
        ).code


def rows(factory) -> list[ScheduledMessage]:
    with factory() as session:
        return list(session.scalars(select(ScheduledMessage).order_by(ScheduledMessage.id)))


def test_reminder_goes_out_at_t_minus_48h_exactly_once_across_a_restart(
    world, make_worker, twilio, clock
):
    code = book(world, clock)
    clock.now = STARTS - timedelta(hours=48, minutes=1)
    make_worker().tick()
    assert sms_to(twilio, PHONE) == []
    clock.now = STARTS - timedelta(hours=48)  # Sunday 14h00 Paris
    first = make_worker().tick()
    assert first.dispatched.sent == 1
    [text] = sms_to(twilio, PHONE)
    assert display_code(code) in text and "Préfecture de la Dordogne" in text
    assert (
        "DOCS" in text
        and "ANNULER" in text
        and "dimanche" not in text
        and "mardi 20 janvier" in text
    )
    for _ in range(2):  # two restarts, a few minutes apart
        clock.advance(minutes=5)
        restarted = make_worker().tick()
        assert restarted.planned.reminders == 0 and restarted.dispatched.sent == 0
    assert len(sms_to(twilio, PHONE)) == 1
    with world() as session:
        assert session.scalars(select(Booking)).one().reminder_sent_at == STARTS - timedelta(
            hours=48
        )


def test_crash_after_the_provider_accepted_does_not_send_twice(world, make_worker, twilio, clock):
    book(world, clock)
    clock.now = STARTS - timedelta(hours=47)
    real = make_worker()

    class CrashAfterSend:
        def send(self, envelope: Envelope) -> Receipt:
            real.dispatcher.notifier.send(envelope)
            raise Crash  # Twilio has it; our database does not know yet

        def find_sent(self, envelope, since):
            raise AssertionError("not called before the restart")

    with pytest.raises(Crash):
        make_worker(CrashAfterSend()).tick()
    [row] = rows(world)
    assert row.status == "sending" and len(sms_to(twilio, PHONE)) == 1
    clock.advance(seconds=30)
    report = make_worker().tick()  # the restart
    assert report.recovered.recovered_sent == 1 and report.dispatched.sent == 0
    assert len(sms_to(twilio, PHONE)) == 1
    [row] = rows(world)
    assert row.status == "sent" and row.provider_id and row.provider_id.startswith("SM")
    with world() as session:
        assert session.scalars(select(Booking)).one().reminder_sent_at is not None


def test_crash_before_the_provider_was_called_sends_once_after_restart(
    world, make_worker, twilio, clock
):
    book(world, clock)
    clock.now = STARTS - timedelta(hours=47)

    class CrashBeforeSend:
        def send(self, envelope):
            raise Crash

        def find_sent(self, envelope, since):
            raise AssertionError

    with pytest.raises(Crash):
        make_worker(CrashBeforeSend()).tick()
    assert rows(world)[0].status == "sending" and sms_to(twilio, PHONE) == []
    report = make_worker().tick()
    assert report.recovered.recovered_pending == 1 and report.dispatched.sent == 1
    assert len(sms_to(twilio, PHONE)) == 1
    assert rows(world)[0].attempts == 2


def test_quiet_hours_hold_a_reminder_until_8h(world, make_worker, twilio, clock):
    book(world, clock)
    # The worker was down at T-48h (Sunday 14h); it comes back at 22h30 Paris.
    clock.now = datetime(2026, 1, 18, 21, 30, tzinfo=UTC)
    report = make_worker().tick()
    assert report.planned.reminders == 1 and report.dispatched.deferred == 1
    assert sms_to(twilio, PHONE) == []
    clock.now = datetime(2026, 1, 19, 6, 59, tzinfo=UTC)  # Monday 7h59 Paris
    make_worker().tick()
    assert sms_to(twilio, PHONE) == []
    clock.now = datetime(2026, 1, 19, 7, 0, tzinfo=UTC)  # 8h00 Paris
    make_worker().tick()
    assert len(sms_to(twilio, PHONE)) == 1


def test_opted_out_number_gets_nothing(world, make_worker, twilio, clock):
    book(world, clock)
    with world.begin() as session:
        session.add(
            Contact(
                channel="sms",
                address=PHONE,
                language="fr",
                opted_out=True,
                last_menu=[],
                pages_left=[],
            )
        )
    clock.now = STARTS - timedelta(hours=40)
    report = make_worker().tick()
    assert report.dispatched.suppressed == 1 and report.dispatched.sent == 0
    assert twilio.calls_to("Messages.json") == []
    assert rows(world)[0].status == "suppressed"


def test_cancelled_booking_is_not_reminded(world, make_worker, twilio, clock):
    code = book(world, clock)
    clock.now = STARTS - timedelta(hours=47)
    worker = make_worker()
    with world.begin() as session:
        bookings.cancel(session, CONFIG, code, phone=PHONE, now=clock())
    worker.tick()
    assert sms_to(twilio, PHONE) == []


def test_reminder_in_the_applicants_language(world, make_worker, twilio, clock):
    with world.begin() as session:
        slot = session.scalars(select(Slot)).one()
        bookings.book(
            session, CONFIG, bookings.BookRequest(slot.id, PHONE, language="en"), now=clock()
        )
    clock.now = STARTS - timedelta(hours=47)
    make_worker().tick()
    [row] = rows(world)
    assert row.language == "en" and "Tuesday 20 January" in row.body


def test_docs_reply_lists_the_documents_of_the_reminded_booking(world, gateway, make_worker, clock):
    book(world, clock)
    clock.now = STARTS - timedelta(hours=47)
    make_worker().tick()
    response = SmsPhone(gateway, PHONE).send("docs")
    text = " ".join(m.text or "" for m in ET.fromstring(response.text).iter("Message"))
    assert text.startswith("Documents pour votre rendez-vous du mardi 20 janvier à 14 h 00 :")
    first = get_catalogue().demarches["carte_resident_renouvellement"].documents[0]
    assert first.document.label("fr")[:20] in text


@pytest.fixture
def blocked_telegram(settings):
    server = telegram_refusing(403, "Forbidden: bot was blocked by the user")
    yield server, replace(settings, telegram_api_base_url=f"{server.url}/bot")
    server.stop()


def test_a_chat_that_blocked_the_bot_gets_its_reminder_by_sms_and_is_unlinked(
    world, make_worker, twilio, blocked_telegram, clock
):
    # Retried five times into the dead chat, the reminder was lost, and every later message
    # went there too (a failing-machine test, session 23).
    server, settings = blocked_telegram
    with world.begin() as session:
        prefer(session, PHONE, "telegram", "5550001", now=clock())
    code = book(world, clock)
    clock.now = STARTS - timedelta(hours=48)
    notifier = ChannelsNotifier(settings, world)
    try:
        make_worker(notifier).tick()
        assert len(server.calls_to("sendMessage")) == 1
        make_worker(notifier).tick()
    finally:
        notifier.close()
    [text] = sms_to(twilio, PHONE)
    assert display_code(code) in text
    assert len(server.calls_to("sendMessage")) == 1  # never tried there again
    with world() as session:
        assert session.get(PreferredChannel, PHONE) is None
        [row] = session.scalars(select(ScheduledMessage)).all()
        assert (row.channel, row.address, row.status) == ("sms", PHONE, "sent")


def test_a_flood_wait_holds_every_telegram_message_not_only_the_refused_one(
    world, make_worker, settings, clock
):
    # Session 24: after a 429 the other Telegram messages of the same pass were still sent,
    # each earning its own 429 (and Telegram lengthens the wait of a bot that insists).
    server = telegram_refusing(429, "Too Many Requests: retry after 900", {"retry_after": 900})
    with world.begin() as session:
        prefer(session, PHONE, "telegram", "5550002", now=clock())
    book(world, clock)
    notifier = ChannelsNotifier(replace(settings, telegram_api_base_url=f"{server.url}/bot"), world)
    worker = make_worker(notifier)
    clock.now = STARTS - timedelta(hours=48)
    try:
        with world.begin() as session:
            plan_all(session, now=clock(), reminder_ahead=worker.reminder_ahead)
            other = DeadlineSubscription(
                phone="+33600000003", demarche_code="carte_resident_renouvellement",
                expiry=date(2026, 6, 1), consented_at=clock(),
            )  # fmt: skip
            session.add(other)
            session.flush()
            session.add(
                ScheduledMessage(
                    key="deadline-open:other", kind="deadline-open", ref_id=other.id,
                    channel="telegram", address="5550003", phone="+33600000003", body="…",
                    due_at=clock(), created_at=clock(),
                )
            )  # fmt: skip
        worker.dispatcher.dispatch_due()
    finally:
        notifier.close()
        server.stop()
    assert len(server.calls_to("sendMessage")) == 1  # the first one only
    waiting = rows(world)
    assert [row.status for row in waiting] == ["pending", "pending"]
    assert all(
        row.due_at.replace(tzinfo=UTC) >= clock() + timedelta(seconds=900) for row in waiting
    )
    assert [row.attempts for row in waiting] == [1, 0]  # the one held back was never tried


def test_telegram_asking_to_wait_is_waited_for(world, make_worker, settings, clock):
    server = telegram_refusing(429, "Too Many Requests: retry after 900", {"retry_after": 900})
    with world.begin() as session:
        prefer(session, PHONE, "telegram", "5550002", now=clock())
    book(world, clock)
    clock.now = STARTS - timedelta(hours=48)
    notifier = ChannelsNotifier(replace(settings, telegram_api_base_url=f"{server.url}/bot"), world)
    try:
        make_worker(notifier).tick()
    finally:
        notifier.close()
        server.stop()
    [row] = rows(world)
    assert row.status == "pending" and row.channel == "telegram"
    assert row.due_at.replace(tzinfo=UTC) >= clock() + timedelta(seconds=900)
