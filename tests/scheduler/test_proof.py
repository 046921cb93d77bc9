"""PREUVE/PROOF/إثبات: the dated searches that found nothing, by SMS (paged) and as a PDF."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bot.booking import slots
from bot.booking.proof import journal, proof_pdf
from bot.channels.phone_link import prefer
from bot.scheduler.models import ScheduledMessage
from bot.scheduler.replies import proof_text
from tests.support.channels import SmsPhone

PHONE = "+33612345678"
CHAT = "987654321"


def searches(factory, clock, count: int, phone: str = PHONE) -> None:
    """Searches on days with no slot at all (the only slot is on 20 January)."""
    for index in range(count):
        clock.now = datetime(2026, 1, 12, 8, 0, tzinfo=UTC) + timedelta(hours=7 * index)
        with factory.begin() as session:
            slots.search(
                session,
                slots.SearchRequest(
                    "carte_resident_renouvellement",
                    "pref-24",
                    date_from=date(2026, 1, 21),
                    date_to=date(2026, 2, 28),
                    phone=phone,
                ),
                now=clock(),
            )


def test_journal_keeps_only_searches_that_found_nothing(world, clock):
    searches(world, clock, 3)
    with world.begin() as session:  # this one finds the 20 January slot: not a proof
        slots.search(
            session,
            slots.SearchRequest("carte_resident_renouvellement", "pref-24", phone=PHONE),
            now=clock(),
        )
    with world() as session:
        proof = journal(session, PHONE)
    assert proof.count == 3 and proof.phone_masked == "+336******78"
    text = proof_text(proof, "fr")
    assert text.startswith(
        "3 recherches sans créneau enregistrées, du lundi 12 janvier 2026 au lundi 12 janvier 2026."
    )
    assert (
        "3. lundi 12 janvier à 23 h 00 : Renouvellement carte de résident, Préfecture de la Dordogne"
        in text
    )


@pytest.mark.parametrize("word", ["PREUVE", "proof", "إثبات"])
def test_proof_by_sms_is_paged_with_count_and_dates_first(world, gateway, clock, word):
    searches(world, clock, 12)
    phone = SmsPhone(gateway, PHONE)
    response = phone.send(word)
    [first] = [m.text or "" for m in ET.fromstring(response.text).iter("Message")]
    assert first.startswith("12 recherches sans créneau")
    assert "SUITE" in first.splitlines()[-1]  # the rest waits for SUITE
    more = phone.send("SUITE")
    [second] = [m.text or "" for m in ET.fromstring(more.text).iter("Message")]
    assert "Préfecture de la Dordogne" in second and "12 recherches" not in second


def test_pdf_is_readable_and_fit_for_a_court(world, clock):
    searches(world, clock, 31)
    with world() as session:
        proof = journal(session, PHONE)
    pdf = proof_pdf(proof, generated_at=datetime(2026, 1, 30, 10, 0, tzinfo=UTC))
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Justificatif de recherches de rendez-vous en préfecture" in text
    assert "Nombre de recherches sans aucun créneau : 31." in text
    assert "+336******78" in text and PHONE not in text
    assert "Renouvellement carte de résident" in text and "Préfecture de la Dordogne" in text
    assert "12/01/2026 09:00" in text and "L521-3" in text
    assert "21/01/2026" in text and "28/02/2026" in text


def test_proof_on_telegram_also_sends_the_pdf(world, gateway, make_worker, telegram, clock):
    searches(world, clock, 2)
    with world.begin() as session:
        prefer(session, PHONE, "telegram", CHAT, now=clock())
    update = {
        "update_id": 7001,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": int(CHAT), "type": "private"},
            "from": {"id": int(CHAT), "is_bot": False, "first_name": "A", "language_code": "fr"},
            "text": "PREUVE",
        },
    }
    response = gateway.post(
        "/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "secret"}
    )
    assert response.status_code == 200
    [reply] = telegram.wait_for("sendMessage")
    assert reply["text"].startswith("2 recherches sans créneau")
    report = make_worker().tick()
    assert report.dispatched.sent == 1
    [document] = telegram.wait_for("sendDocument")
    assert document["chat_id"] == CHAT
    pdf_text = PdfReader(io.BytesIO(document["pdf"])).pages[0].extract_text()
    assert "Nombre de recherches sans aucun créneau : 2." in pdf_text
    with world() as session:
        row = session.scalars(select(ScheduledMessage)).one()
        assert row.kind == "proof-pdf" and row.status == "sent"
