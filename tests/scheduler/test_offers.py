"""The waitlist chain end to end: a cancellation by SMS, offers pushed by the worker, answers
by signed SMS webhooks (no other context than the phone), expiry passing the place on."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.booking import bookings, waitlist
from bot.booking.codes import display_code
from bot.booking.models import Booking, BookingStatus, OfferStatus, Slot, WaitlistOffer
from bot.channels.rasa_client import RasaClient
from bot.gateway.app import create_app
from bot.scheduler.models import ScheduledMessage
from tests.support.channels import SmsPhone
from tests.support.providers import Recorder, rasa_heard, rasa_with_script, sms_to
from tests.support.world import CONFIG

HOLDER, FIRST, SECOND, THIRD = "+33612345678", "+33698765432", "+33755667788", "+33644332211"


def replies(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [m.text or "" for m in ET.fromstring(response.text).iter("Message")]


def join(factory, clock, phone: str, rights_end: date) -> None:
    with factory.begin() as session:
        waitlist.join(
            session,
            CONFIG,
            waitlist.WaitlistRequest(
                phone, "carte_resident_renouvellement", "pref-24", rights_end=rights_end
            ),
            now=clock(),
        )


def offers(factory) -> list[tuple[str, str]]:
    with factory() as session:
        return [
            (o.entry.applicant.phone, o.status.value)
            for o in session.scalars(select(WaitlistOffer).order_by(WaitlistOffer.id))
        ]


def test_cancel_offer_decline_expire_accept(world, gateway, make_worker, twilio, clock):
    with world.begin() as session:
        slot = session.scalars(select(Slot)).one()
        code = bookings.book(
            session, CONFIG, bookings.BookRequest(slot.id, HOLDER), now=clock()
        ).code
    # Rights running out first are served first, whatever the order of the requests.
    join(world, clock, THIRD, date(2026, 3, 1))
    join(world, clock, FIRST, date(2026, 2, 1))
    join(world, clock, SECOND, date(2026, 2, 15))
    worker = make_worker()
    clock.now = datetime(2026, 1, 14, 9, 0, tzinfo=UTC)  # Wednesday 10h Paris

    # The holder frees the place with one word.
    [answer] = replies(SmsPhone(gateway, HOLDER).send("annuler"))
    assert "annulé" in answer and display_code(code) in answer
    worker.tick()
    [offer_sms] = sms_to(twilio, FIRST)
    assert offer_sms.startswith("Une place s'est libérée : mardi 20 janvier à 14 h 00 à Préfecture")
    assert "Répondez OUI avant 22 h 00 pour la prendre, NON pour la laisser." in offer_sms

    # NON: the place goes to the next person at once.
    clock.advance(minutes=20)
    [answer] = replies(SmsPhone(gateway, FIRST).send("Non"))
    assert "personne suivante" in answer
    worker.tick()
    assert len(sms_to(twilio, SECOND)) == 1
    assert offers(world)[:2] == [(FIRST, "declined"), (SECOND, "pending")]

    # Silence: a reminder 2 h before the end, then expiry and the next person.
    clock.advance(hours=10)
    worker.tick()
    reminder = sms_to(twilio, SECOND)[-1]
    assert reminder.startswith("Plus que 2 heures") and len(sms_to(twilio, SECOND)) == 2
    clock.advance(hours=2, minutes=1)
    report = worker.tick()
    assert report.expired_offers == 1
    assert offers(world)[1:] == [(SECOND, "expired"), (THIRD, "pending")]
    # 22h21 in Paris: the new offer (held until 10h21 tomorrow) waits for the morning.
    assert report.dispatched.deferred == 1 and sms_to(twilio, THIRD) == []
    clock.now = datetime(2026, 1, 15, 7, 0, tzinfo=UTC)
    worker.tick()
    [offer_sms] = sms_to(twilio, THIRD)
    assert "Répondez OUI avant jeudi 15 janvier à 10 h 21" in offer_sms

    # OUI, from the SMS alone.
    clock.advance(minutes=30)
    [answer] = replies(SmsPhone(gateway, THIRD).send("OUI"))
    assert answer.startswith("C'est réservé : mardi 20 janvier à 14 h 00")
    with world() as session:
        booking = session.scalars(
            select(Booking).where(Booking.status == BookingStatus.BOOKED)
        ).one()
        assert booking.applicant.phone == THIRD and display_code(booking.code) in answer
        assert (
            session.scalars(
                select(WaitlistOffer).where(WaitlistOffer.status == OfferStatus.ACCEPTED)
            )
            .one()
            .booking_id
            == booking.id
        )
    # A second OUI has nothing to answer: it goes to the conversation (Rasa, down here).
    assert "C'est réservé" not in " ".join(
        replies(SmsPhone(gateway, THIRD).send("oui", sid="SMsecond"))
    )


def test_offer_made_at_night_goes_out_only_if_its_deadline_would_pass(
    world, make_worker, twilio, clock
):
    with world.begin() as session:
        slot = session.scalars(select(Slot)).one()
        code = bookings.book(
            session, CONFIG, bookings.BookRequest(slot.id, HOLDER), now=clock()
        ).code
    join(world, clock, FIRST, date(2026, 2, 1))
    worker = make_worker()
    # Cancelled at 23h Paris: a 12 h hold ends at 11h, the morning leaves time → wait for 8h.
    clock.now = datetime(2026, 1, 14, 22, 0, tzinfo=UTC)
    with world.begin() as session:
        bookings.cancel(session, CONFIG, code, phone=HOLDER, now=clock())
    assert worker.tick().dispatched.deferred == 1 and sms_to(twilio, FIRST) == []
    clock.now = datetime(2026, 1, 15, 7, 0, tzinfo=UTC)
    worker.tick()
    assert len(sms_to(twilio, FIRST)) == 1


def test_short_offer_at_night_is_sent_at_once(world, make_worker, twilio, clock):
    with world.begin() as session:
        slot = session.scalars(select(Slot)).one()
        code = bookings.book(
            session, CONFIG, bookings.BookRequest(slot.id, HOLDER), now=clock()
        ).code
    join(world, clock, FIRST, date(2026, 2, 1))
    clock.now = datetime(2026, 1, 14, 22, 0, tzinfo=UTC)  # 23h Paris
    with world.begin() as session:
        bookings.cancel(session, CONFIG, code, phone=HOLDER, now=clock())
        # A hold ending at 8h30 Paris: waiting for 8h would leave half an hour.
        offer = session.scalars(select(WaitlistOffer)).one()
        offer.expires_at = datetime(2026, 1, 15, 7, 30, tzinfo=UTC)
    report = make_worker().tick()
    assert report.dispatched.sent == 1 and len(sms_to(twilio, FIRST)) == 1
    with world() as session:
        row = session.scalars(select(ScheduledMessage)).one()
        assert row.key.startswith("offer:") and row.status == "sent"


ASK_CANCEL = "Annuler votre rendez-vous du mardi 20 janvier ? Répondez OUI ou NON."
CANCELLED = "Votre rendez-vous est annulé."
GREETING = "Bonjour ! Que voulez-vous faire ?"


@pytest.fixture
def rasa() -> Iterator[Recorder]:
    server = rasa_with_script(
        {"annuler mon rendez-vous": ASK_CANCEL, "/affirm": CANCELLED, "bonjour": GREETING}
    )
    yield server
    server.stop()


@pytest.fixture
def gateway_with_rasa(world, settings, clock, rasa, monkeypatch) -> Iterator[TestClient]:
    # The script answers for Rasa and its actions: the gateway, which sends nothing to Rasa
    # while the action server is down (bot.channels.rasa_client), sends it every message.
    async def never_down(self, client) -> bool:
        return False

    monkeypatch.setattr(RasaClient, "actions_down", never_down)
    with TestClient(create_app(replace(settings, rasa_url=rasa.url), world, clock=clock)) as client:
        yield client


def offer_to_first(world, gateway, make_worker, twilio, clock) -> None:
    """HOLDER frees the one place, which is offered to FIRST by SMS."""
    with world.begin() as session:
        slot = session.scalars(select(Slot)).one()
        bookings.book(session, CONFIG, bookings.BookRequest(slot.id, HOLDER), now=clock())
    join(world, clock, FIRST, date(2026, 2, 1))
    clock.now = datetime(2026, 1, 14, 9, 0, tzinfo=UTC)  # Wednesday 10h Paris
    replies(SmsPhone(gateway, HOLDER).send("annuler", sid="SMholder"))
    make_worker().tick()
    [offer_sms] = sms_to(twilio, FIRST)
    assert "Répondez OUI" in offer_sms


def test_oui_answers_the_assistants_question_asked_after_the_offer(
    world, gateway_with_rasa, make_worker, twilio, clock, rasa
):
    offer_to_first(world, gateway_with_rasa, make_worker, twilio, clock)
    first = SmsPhone(gateway_with_rasa, FIRST)
    clock.advance(minutes=5)
    assert replies(first.send("annuler mon rendez-vous", sid="SM1")) == [ASK_CANCEL]

    # OUI answers the question last asked — the assistant's — not the offer still pending;
    # Rasa hears it as its yes button sends it.
    assert replies(first.send("OUI", sid="SM2")) == [CANCELLED]
    assert rasa_heard(rasa) == ["annuler mon rendez-vous", "/affirm"]
    assert offers(world) == [(FIRST, "pending")]


def test_oui_accepts_the_offer_sent_after_the_assistants_question(
    world, gateway_with_rasa, make_worker, twilio, clock, rasa
):
    first = SmsPhone(gateway_with_rasa, FIRST)
    assert replies(first.send("annuler mon rendez-vous", sid="SM1")) == [ASK_CANCEL]
    offer_to_first(world, gateway_with_rasa, make_worker, twilio, clock)

    clock.advance(minutes=5)
    [answer] = replies(first.send("OUI", sid="SM2"))
    assert answer.startswith("C'est réservé : mardi 20 janvier à 14 h 00")
    assert rasa_heard(rasa) == ["annuler mon rendez-vous"]
    assert offers(world) == [(FIRST, "accepted")]
