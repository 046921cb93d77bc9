"""No number goes silent, with the real Rasa model and action server: a misread answer never
drives Rasa into its circuit breaker, a conversation whose breaker tripped answers again, and an
empty answer from Rasa (its /nlg unreachable) is a failed turn: kept, apologised for once with
the menu and the human contact, and answered later — recorded once in Rasa's tracker."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from bot.channels import messages
from bot.channels.conversation import Conversations
from bot.channels.models import Contact, InboundMessage
from bot.channels.shaping import sms_text
from bot.db import make_engine, make_session_factory
from bot.i18n import translate
from tests.support.servers import free_port
from tests.support.stack import RASA_API_TOKEN, Phone, stack_with_fakes

pytestmark = pytest.mark.rasa

FAILED_FR = sms_text(translate(messages.FAILED_TURN, "fr"), "fr")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with stack_with_fakes(tmp_path_factory.mktemp("silent")) as running:
        yield running


def _tracker(settings, rasa, number: str) -> dict:
    sender = Conversations(settings, None, {}).sender_id("sms", number)  # type: ignore[arg-type]
    return rasa.tracker(sender)


@pytest.mark.parametrize(
    "number, script",
    [
        (
            "+33611120001",
            ["Bonjour", "je veux un rdv", "renouveler mon titre de sejour", "1", "0", "MENU"],
        ),
        (
            "+33611120002",
            ["salam bghit rdv l carte de sejour", "bghit njded lkart dyali", "0", "MENU"],
        ),
    ],
)
def test_a_misread_answer_in_the_form_never_trips_rasas_circuit_breaker(stack, number, script):
    settings, rasa, gateway, _twilio, _telegram = stack
    rasa.start()
    phone = Phone(gateway, settings.public_url, number)
    for text in script:
        replies = phone.send(text)
        assert replies and all(replies), (text, replies)
        # One answer per message: the fallback's sentence once, not once per looping action.
        assert sum("pas compris" in r for r in replies) <= 1, (text, replies)
    assert "Circuit breaker" not in rasa.log.read_text()


def test_a_conversation_whose_circuit_breaker_tripped_answers_again(stack):
    settings, rasa, gateway, _twilio, _telegram = stack
    rasa.start()
    number = "+33611120003"
    phone = Phone(gateway, settings.public_url, number)
    assert phone.send("Bonjour")
    sender = Conversations(settings, None, {}).sender_id("sms", number)  # type: ignore[arg-type]
    # What a fallback loop left behind on main: ten actions since the last action_listen.
    said = {
        "event": "user",
        "text": "???",
        "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 1.0}, "entities": []},
    }
    looping = [said] + [{"event": "action", "name": "action_fallback"}] * 10
    httpx.post(
        f"{rasa.url}/conversations/{sender}/tracker/events",
        params={"token": RASA_API_TOKEN},
        json=looping,
        timeout=10,
    ).raise_for_status()
    menu = phone.send("MENU")
    assert menu and "Que voulez-vous faire" in menu[0], menu
    assert phone.send("Bonjour")


def test_an_empty_answer_from_rasa_is_kept_apologised_for_once_then_answered(stack, tmp_path):
    settings, rasa, gateway, twilio, _telegram = stack
    number = "+33611120004"
    phone = Phone(gateway, settings.public_url, number)
    working = rasa.endpoints
    broken = tmp_path / "endpoints.yml"  # /nlg unreachable, as while the gateway shuts down
    broken.write_text(
        working.read_text().replace(settings.public_url, f"http://127.0.0.1:{free_port()}")
    )
    rasa.stop()
    rasa.endpoints = broken
    try:
        rasa.start()
        assert phone.send("Bonjour") == [FAILED_FR]
        assert phone.send("Je veux un rendez-vous") == []  # kept too, no second apology
    finally:
        rasa.stop()
        rasa.endpoints = working
    factory = make_session_factory(make_engine(settings.database_url))
    with factory() as session:
        statuses = session.scalars(
            select(InboundMessage.status)
            .join(Contact, Contact.id == InboundMessage.contact_id)
            .where(Contact.address == number)
        ).all()
    assert statuses == ["queued", "queued"]
    before = len(twilio.calls_to("Messages.json"))
    rasa.start()
    calls = twilio.wait_for("Messages.json", count=before + 2, timeout=60)
    replayed = [c["Body"] for c in calls[before:] if c["To"] == number]
    assert len(replayed) >= 2 and replayed[0].startswith("Bonjour"), replayed
    users = [e["text"] for e in _tracker(settings, rasa, number)["events"] if e["event"] == "user"]
    assert users == ["Bonjour", "/book_appointment"] or users == [
        "Bonjour",
        "Je veux un rendez-vous",
    ], users
