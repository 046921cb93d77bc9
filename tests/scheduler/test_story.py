"""The issue's "done means", end to end through the gateway: a booking made the way the SMS
conversation makes it (the action server calls the booking API) is reminded at T−48 h; the
reply ANNULER frees the place, which is pushed to the first waiting person, who replies OUI.
Rasa itself is not running here: the booking goes through its API call, not its NLU."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.booking import waitlist
from bot.booking.codes import display_code
from bot.booking.models import Booking, BookingStatus
from tests.support.channels import SmsPhone
from tests.support.providers import sms_to
from tests.support.world import CONFIG

HOLDER, WAITING = "+447911123456", "+33698765432"
STARTS = datetime(2026, 1, 20, 13, 0, tzinfo=UTC)


def texts(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [m.text or "" for m in ET.fromstring(response.text).iter("Message")]


def test_sms_booking_reminded_then_cancelled_and_pushed_to_the_waitlist(
    world, gateway, make_worker, twilio, clock
):
    found = gateway.post(
        "/api/slots/search",
        json={
            "demarche": "carte_resident_renouvellement",
            "site": "pref-24",
            "phone": HOLDER,
            "language": "en",
        },
    )
    assert found.status_code == 200, found.text
    slot_id = found.json()["slots"][0]["id"]
    booked = gateway.post(
        "/api/bookings", json={"slot_id": slot_id, "phone": HOLDER, "language": "en"}
    )
    assert booked.status_code == 201, booked.text
    code = booked.json()["code"]
    with world.begin() as session:
        waitlist.join(
            session,
            CONFIG,
            waitlist.WaitlistRequest(
                WAITING, "carte_resident_renouvellement", "pref-24", rights_end=date(2026, 2, 1)
            ),
            now=clock(),
        )

    worker = make_worker()
    clock.now = STARTS - timedelta(hours=48)
    worker.tick()
    [reminder] = sms_to(twilio, HOLDER)
    assert (
        display_code(code) in reminder and "Tuesday 20 January" in reminder
    )  # English when translated, else French

    clock.advance(hours=1)
    holder = SmsPhone(gateway, HOLDER)
    [answer] = texts(holder.send("Cancel"))
    assert display_code(code) in answer
    worker.tick()
    [offer] = sms_to(twilio, WAITING)
    assert "Une place s'est libérée" in offer and "OUI" in offer

    clock.advance(minutes=45)
    [confirmation] = texts(SmsPhone(gateway, WAITING).send("oui"))
    with world() as session:
        active = session.scalars(
            select(Booking).where(Booking.status == BookingStatus.BOOKED)
        ).one()
    assert active.applicant.phone == WAITING and display_code(active.code) in confirmation
    # The new holder is reminded too (booked more than 48 h before? no: inside the window,
    # the confirmation they just read is their reminder).
    worker.tick()
    assert len(sms_to(twilio, WAITING)) == 1
