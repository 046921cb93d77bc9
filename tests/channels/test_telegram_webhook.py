from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from bot.channels import messages
from bot.channels.models import Contact, InboundMessage, OutboundMessage
from bot.i18n import translate
from tests.support.channels import TELEGRAM_SECRET

CHAT_ID = 987654321


def update(update_id: int, text: str | None = None, language: str = "fr", **extra) -> dict:
    message = {
        "message_id": update_id,
        "date": 1_763_900_000,
        "chat": {"id": CHAT_ID, "type": "private"},
        "from": {"id": CHAT_ID, "is_bot": False, "first_name": "Amina", "language_code": language},
    }
    if text is not None:
        message["text"] = text
    return {"update_id": update_id, "message": message, **extra}


def callback(update_id: int, data: str) -> dict:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}",
            "chat_instance": "ci",
            "data": data,
            "from": {"id": CHAT_ID, "is_bot": False, "first_name": "Amina", "language_code": "fr"},
            "message": {
                "message_id": 1,
                "date": 1_763_900_000,
                "chat": {"id": CHAT_ID, "type": "private"},
                "text": "menu",
            },
        },
    }


def post(client, body, secret: str | None = TELEGRAM_SECRET):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return client.post("/telegram/webhook", json=body, headers=headers)


def sent_texts(telegram_api) -> list[str]:
    return [call["text"] for call in telegram_api.calls_to("/sendMessage")]


def test_wrong_or_missing_secret_is_refused(client, telegram_api):
    assert post(client, update(1, "Bonjour"), secret=None).status_code == 403
    assert post(client, update(1, "Bonjour"), secret="wrong").status_code == 403
    assert post(client, update(1, "Bonjour"), secret=TELEGRAM_SECRET + "x").status_code == 403
    assert telegram_api.calls_to("/sendMessage") == []
    assert post(client, update(1, "Bonjour")).status_code == 200


def test_no_secret_configured_refuses_everything(make_client, settings):
    client = make_client(settings, telegram_secret_token="")
    assert post(client, update(1, "Bonjour"), secret="").status_code == 403


def test_redelivered_update_is_processed_once(client, telegram_api, session_factory):
    assert post(client, update(10, "Bonjour")).status_code == 200
    assert post(client, update(10, "Bonjour")).status_code == 200
    assert sent_texts(telegram_api) == [translate(messages.BUSY, "fr")]
    with session_factory() as session:
        assert len(session.scalars(select(InboundMessage)).all()) == 1
        row = session.scalar(select(OutboundMessage))
    assert (row.status, row.provider_id, row.address) == ("sent", row.provider_id, str(CHAT_ID))
    assert row.provider_id is not None


def test_language_code_is_taken_at_first_contact_only(client, session_factory):
    post(client, update(20, "/start", language="ar"))
    post(client, update(21, "hello", language="en"))
    with session_factory() as session:
        contact = session.scalar(select(Contact))
        rows = session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
    assert contact.language == "ar"
    assert [r.resolved for r in rows] == ["/greet", "hello"]


def test_commands(client, telegram_api, session_factory):
    post(client, update(30, "/aide"))
    assert sent_texts(telegram_api) == [translate(messages.HELP, "fr")]
    post(client, update(31, "/menu"))
    post(client, update(32, "/langue"))
    with session_factory() as session:
        rows = session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
    assert [r.resolved for r in rows] == [None, "/menu", "/change_language"]


def test_button_press_is_answered_and_its_payload_used(client, telegram_api, session_factory):
    with session_factory.begin() as session:
        session.add(
            Contact(
                channel="telegram",
                address=str(CHAT_ID),
                language="fr",
                last_menu=["/a", '/inform{"title_type":"conjoint_francais"}'],
                pages_left=[],
            )
        )
    post(client, callback(40, '/choose_language{"language":"en"}'))
    post(client, callback(41, "menu:2"))
    assert [c["callback_query_id"] for c in telegram_api.calls_to("/answerCallbackQuery")] == [
        "cb40",
        "cb41",
    ]
    with session_factory() as session:
        rows = session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
    assert [r.resolved for r in rows] == [
        '/choose_language{"language":"en"}',
        '/inform{"title_type":"conjoint_francais"}',
    ]


def test_stop_then_start_on_telegram(client, telegram_api):
    post(client, update(50, "STOP"))
    post(client, update(51, "Bonjour"))
    assert sent_texts(telegram_api) == [translate(messages.OPTED_OUT, "fr")]
    post(client, update(52, "/start"))
    assert sent_texts(telegram_api)[-1] == translate(messages.BUSY, "fr")


def test_malformed_updates_are_client_errors(client):
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    assert client.post("/telegram/webhook", content=b"not json", headers=headers).status_code == 400
    assert post(client, [1, 2]).status_code == 400
    assert post(client, {"update_id": "x"}).status_code == 400
    assert post(client, {"update_id": 5, "edited_message": None}).status_code == 200
    # A message without its chat could never be answered (reading its id was a 500).
    chatless = {"update_id": 6, "message": {"message_id": 1, "date": 0, "text": "Bonjour"}}
    assert post(client, chatless).status_code == 400
    # A text that is no string was a 500 (an attacker's test, session 30): read as no text.
    assert post(client, update(7, {"a": 1})).status_code < 500


def test_a_message_is_kept_before_telegram_hears_200_so_a_death_before_recording_loses_nothing(
    client, telegram_api, session_factory, settings, monkeypatch
):
    """Issue 13: Telegram got its 200 before the message was recorded, so a gateway dying in
    that moment lost it. Now it is on disk (sealed) first; the replayer records and answers it."""

    async def died_before_recording(self, incoming, deliver=None, recorded=None):
        return None

    monkeypatch.setattr("bot.channels.conversation.Conversations.handle", died_before_recording)
    assert post(client, update(40, "Bonjour, je veux un rendez-vous")).status_code == 200
    [kept] = Path(settings.spool_dir).glob("*.msg")
    assert "rendez-vous" not in kept.read_text()  # sealed
    with session_factory() as session:
        assert session.scalars(select(InboundMessage)).all() == []
    monkeypatch.undo()  # the next process: its replayer finds the message on disk
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not sent_texts(telegram_api):
        time.sleep(0.1)
    assert sent_texts(telegram_api), "the kept message was never answered"
    with session_factory() as session:
        assert [r.external_id for r in session.scalars(select(InboundMessage))] != []
    assert not list(Path(settings.spool_dir).glob("*.msg"))


def test_a_message_is_answered_as_before_and_leaves_nothing_on_disk(client, telegram_api, settings):
    assert post(client, update(41, "Bonjour")).status_code == 200
    assert sent_texts(telegram_api)
    assert not list(Path(settings.spool_dir).glob("*.msg"))


def test_a_group_chat_is_not_spoken_to(client, telegram_api, session_factory):
    # In a group the conversation is the chat's: one member cancelled the booking another had
    # made there (an attacker's test, session 22). Private chats only.
    in_a_group = update(70, "Je veux annuler mon rendez-vous")
    in_a_group["message"]["chat"] = {"id": -5001, "type": "group", "title": "Famille"}
    assert post(client, in_a_group).status_code == 200
    assert telegram_api.calls_to("/sendMessage") == []
    with session_factory() as session:
        assert session.scalars(select(InboundMessage)).all() == []
