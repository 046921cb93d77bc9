"""A Telegram user who books with a phone gets that phone's reminders in the chat, not by SMS.

The end-to-end test runs the real stack (gateway, action server, Rasa with the trained model);
only Telegram's and Twilio's servers are played locally.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.booking.config import EngineConfig
from bot.booking.models import Booking
from bot.channels.models import InboundMessage, PreferredChannel
from bot.channels.phone_link import confirms_phone, link_chat, phone_of
from bot.db import make_engine, make_session_factory
from bot.scheduler.notifier import ChannelsNotifier
from bot.scheduler.recipients import Recipient, recipient_for
from bot.scheduler.worker import Worker
from bot.secrets import unseal
from tests.support.booking import booking_call
from tests.support.channels import TELEGRAM_SECRET
from tests.support.stack import CODE, TelegramUser, stack_with_fakes, telegram_booking

PHONE = "+33611110077"
NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)


def _nlg(response: str) -> dict:
    return {"text": "…", "custom": {"language": "fr", "response": response, "text_fr": "…"}}


def test_only_answers_that_used_the_phone_link_the_chat():
    assert confirms_phone([_nlg("utter_ask_booking_confirmed"), _nlg("utter_convocation")])
    assert confirms_phone([_nlg("utter_waitlist_joined")])
    assert confirms_phone([_nlg("utter_rescheduled")])
    assert not confirms_phone([_nlg("utter_ask_phone"), {"text": "no custom"}, {"custom": "x"}])


def test_a_linked_chat_receives_the_phones_messages_and_the_last_link_wins(
    sqlite_factory: sessionmaker[Session],
):
    with sqlite_factory() as session:
        assert recipient_for(session, PHONE) == Recipient("sms", PHONE, PHONE)
    link_chat(sqlite_factory, "telegram", "5151", PHONE, NOW)
    with sqlite_factory() as session:
        assert recipient_for(session, PHONE) == Recipient("telegram", "5151", PHONE)
        assert phone_of(session, "telegram", "5151") == PHONE  # OUI/ANNULER from the chat
    link_chat(sqlite_factory, "telegram", "6262", PHONE, NOW + timedelta(days=1))
    with sqlite_factory() as session:
        assert recipient_for(session, PHONE).address == "6262"
        assert len(session.scalars(select(PreferredChannel)).all()) == 1


def _contact_update(update_id: int, chat_id: int, phone_number: str, user_id: int) -> dict:
    sender = {"id": chat_id, "is_bot": False, "first_name": "Amina", "language_code": "fr"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_763_900_000,
            "chat": {"id": chat_id, "type": "private"},
            "from": sender,
            "contact": {"phone_number": phone_number, "first_name": "Amina", "user_id": user_id},
        },
    }


def _post(client, body: dict):
    return client.post(
        "/telegram/webhook", json=body, headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    )


def test_sharing_ones_own_telegram_contact_links_the_chat(client, session_factory, settings):
    # Telegram sends the number without its "+"; Rasa is down here, the message is kept.
    assert _post(client, _contact_update(1, 4242, "33611110077", user_id=4242)).status_code == 200
    with session_factory() as session:
        assert recipient_for(session, PHONE) == Recipient("telegram", "4242", PHONE)
        kept = session.scalars(select(InboundMessage)).one()
        # The number answers the form's phone question; it is kept sealed, never in clear.
        assert PHONE not in kept.body and unseal(kept.body, settings.secret_key) == PHONE


def test_someone_elses_contact_does_not_link_the_chat(client, session_factory):
    assert _post(client, _contact_update(2, 4343, "+33611110077", user_id=999)).status_code == 200
    assert (
        _post(client, _contact_update(3, 4343, "+33 not a phone", user_id=4343)).status_code == 200
    )
    with session_factory() as session:
        assert session.scalars(select(PreferredChannel)).all() == []


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with stack_with_fakes(tmp_path_factory.mktemp("link")) as (
        settings,
        rasa,
        gateway,
        twilio,
        telegram,
    ):
        rasa.start()
        yield settings, gateway, twilio, telegram


@pytest.mark.rasa
def test_telegram_booking_links_the_chat_and_the_reminder_comes_to_telegram(stack):
    settings, gateway, twilio, telegram = stack
    user = TelegramUser(gateway, telegram, 5151)
    sent = telegram_booking(user, language=1, phone="+33611110077", numero="7501234577")
    factory = make_session_factory(make_engine(settings.database_url))
    with factory() as session:  # the shared contact is the account's own: linked at once
        assert recipient_for(session, PHONE) == Recipient("telegram", "5151", PHONE)
    sent = user.press(sent, 1)  # Oui, je réserve
    match = CODE.search("\n".join(m["text"] for m in sent))
    assert match, sent
    assert booking_call(settings.api_url, lambda api: api.verify(match.group(1))).valid is True
    with factory() as session:
        assert recipient_for(session, PHONE) == Recipient("telegram", "5151", PHONE)
        starts_at = session.scalars(select(Booking)).one().slot.starts_at

    # The scheduler, 47 hours before the appointment: the reminder goes to the chat.
    before = len(telegram.calls_to("/sendMessage"))
    notifier = ChannelsNotifier(settings, factory)
    try:
        at = starts_at.replace(tzinfo=UTC) - timedelta(hours=47)
        report = Worker(
            factory, EngineConfig.from_settings(settings), notifier, clock=lambda: at
        ).tick()
    finally:
        notifier.close()
    assert report.dispatched.sent == 1, report.summary()
    reminders = telegram.calls_to("/sendMessage")[before:]
    assert [str(m["chat_id"]) for m in reminders] == ["5151"]
    assert not [c for c in twilio.calls_to("Messages.json") if c.get("To") == PHONE]
