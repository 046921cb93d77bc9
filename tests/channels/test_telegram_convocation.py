"""A Telegram user gets the printed convocation (PDF, their language and French, signed QR code)
after booking: the same document a PAN mediator prints. Telegram's servers are played locally
(sendDocument kept); the end-to-end test runs the real stack with Rasa."""

from __future__ import annotations

import asyncio
import io
import re

import pytest
from sqlalchemy import select

from bot import signing
from bot.booking import bookings, convocation
from bot.booking.models import Booking
from bot.channels.console import ConsoleOutbox
from bot.channels.outbound import Outgoing, TelegramSender, record
from bot.channels.printed import convocation_codes, convocation_document
from bot.config import Settings
from bot.db import make_engine, make_session_factory, utcnow
from bot.gateway.nlg import generate
from tests.support import providers, world
from tests.support.qr import pdf_text, qr_payloads
from tests.support.stack import TelegramUser, stack_with_fakes, telegram_booking

DISPLAYED_CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}")


def _nlg(response: str, code: str | None) -> dict:
    custom = {"language": "ar", "response": response, "text_fr": "…"}
    if code is not None:
        custom["code"] = code
    return {"text": "…", "custom": custom}


def test_only_answers_that_give_a_code_bring_a_document() -> None:
    responses = [
        _nlg("utter_ask_booking_confirmed", None),
        _nlg("utter_convocation", "abcd-efgh"),
        _nlg("utter_rescheduled", "ABCDEFGH"),  # the same code, once
        _nlg("utter_waitlist_joined", "ZZZZ-ZZZZ"),  # no convocation there
        {"text": "no custom"},
        {"custom": "not a mapping"},
    ]
    assert convocation_codes(responses) == ["ABCDEFGH"]
    assert convocation_codes([_nlg("utter_convocation", None)]) == []


def test_the_nlg_puts_the_code_beside_the_convocation_answer() -> None:
    body = {
        "response": "utter_convocation",
        "arguments": {"code": "ABCD-EFGH", "when": "mardi", "site_name": "P", "address": "A"},
        "tracker": {"slots": {"language": "ar"}},
    }
    assert generate(body)["custom"]["code"] == "ABCD-EFGH"
    other = {**body, "response": "utter_ask_phone"}
    assert "code" not in generate(other)["custom"]


@pytest.fixture
def documents_api():
    server = providers.telegram_with_documents()
    yield server
    server.stop()


def test_the_pdf_goes_to_the_chat_as_a_document_with_its_caption(
    sqlite_factory, clock, documents_api
) -> None:
    settings = Settings(
        secret_key="test-key",
        signing_key="chat-test",
        telegram_bot_token="123:ABC",
        telegram_api_base_url=f"{documents_api.url}/bot",
    )
    with sqlite_factory.begin() as session:
        booking = world.booked_world(session, now=clock(), language="ar")
        code = booking.code
        payload = convocation.payload_of(booking, signing.private_key("chat-test"))
    message = convocation_document(settings, sqlite_factory, "telegram", "777", code, "ar")
    assert message is not None and message.document is not None
    assert message.filename == f"convocation-{code[:4]}-{code[4:]}.pdf"
    assert f"\u2068{code[:4]}-{code[4:]}\u2069" in message.text  # isolated in Arabic
    with sqlite_factory.begin() as session:
        record(session, message)
    asyncio.run(TelegramSender(settings, sqlite_factory).deliver([message]))
    [sent] = documents_api.wait_for("/sendDocument")
    assert sent["chat_id"] == "777"
    assert qr_payloads(sent["pdf"]) == [payload]
    assert "استدعاء" in pdf_text(sent["pdf"])
    # A cancelled booking has no convocation left to send.
    with sqlite_factory.begin() as session:
        bookings.cancel(session, world.CONFIG, code, phone=world.PHONE_A, now=clock())
    assert convocation_document(settings, sqlite_factory, "telegram", "777", code, "ar") is None


def test_an_outgoing_without_document_stays_a_message(sqlite_factory, documents_api) -> None:
    settings = Settings(
        secret_key="test-key",
        telegram_bot_token="123:ABC",
        telegram_api_base_url=f"{documents_api.url}/bot",
    )
    message = Outgoing("telegram", "778", "Bonjour")
    with sqlite_factory.begin() as session:
        record(session, message)
    asyncio.run(TelegramSender(settings, sqlite_factory).deliver([message]))
    assert documents_api.wait_for("/sendMessage")[0]["text"] == "Bonjour"
    assert documents_api.calls_to("/sendDocument") == []


def test_guichet_chat_keeps_the_document_a_telegram_user_would_get(tmp_path) -> None:
    out = io.StringIO()
    message = Outgoing(
        "telegram", "1", "Votre convocation", document=b"%PDF-1.4 x", filename="c.pdf"
    )
    asyncio.run(ConsoleOutbox(out, documents=tmp_path).deliver([message]))
    assert (tmp_path / "c.pdf").read_bytes() == b"%PDF-1.4 x"
    assert "📎 c.pdf" in out.getvalue() and str(tmp_path / "c.pdf") in out.getvalue()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with stack_with_fakes(
        tmp_path_factory.mktemp("convocation"), telegram_server=providers.telegram_with_documents
    ) as (settings, rasa, gateway, _twilio, telegram):
        rasa.start()
        yield settings, gateway, telegram


@pytest.mark.rasa
def test_a_telegram_booking_in_arabic_brings_the_signed_pdf(stack) -> None:
    settings, gateway, telegram = stack
    user = TelegramUser(gateway, telegram, 6161)
    # عربي chosen from the first menu: the conversation, and so the PDF, is in Arabic.
    sent = telegram_booking(user, language=2, phone="+33611110066", numero="7501234566")
    assert not telegram.calls_to("/sendDocument")  # nothing before the booking is confirmed
    sent = user.press(sent, 1)  # نعم، احجز
    shown = DISPLAYED_CODE.findall("\n".join(m["text"] for m in sent))
    documents = telegram.wait_for("/sendDocument", timeout=30)
    assert [d["chat_id"] for d in documents] == ["6161"]
    pdf = documents[0]["pdf"]
    factory = make_session_factory(make_engine(settings.database_url))
    with factory() as session:
        booking = session.scalars(select(Booking)).one()
        code = booking.code
    assert f"{code[:4]}-{code[4:]}" in shown  # the code the chat read is the PDF's
    [payload] = qr_payloads(pdf)
    public_key = settings.convocation_key().public_key()
    facts = signing.read(payload, public_key)
    assert facts.code == code and facts.site == "pref-38"
    with factory() as session:
        assert convocation.verify_presented(session, payload, public_key, now=utcnow()).valid
    text = pdf_text(pdf)
    assert "Convocation à la préfecture" in text and "استدعاء" in text
    assert "0611110066" not in text and "+336" not in text
