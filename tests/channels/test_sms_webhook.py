from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from bot.channels import messages
from bot.channels.models import Contact, InboundMessage, OutboundMessage
from bot.channels.outbound import TwilioSender
from bot.i18n import translate
from tests.support.channels import PHONE, PUBLIC_URL, SmsPhone


def replies(response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return [m.text or "" for m in ET.fromstring(response.text).iter("Message")]


def fr(msgid: str, **params) -> str:
    from bot.channels.shaping import sms_text

    return sms_text(translate(msgid, "fr", **params), "fr")


def inbound_rows(session_factory) -> list[InboundMessage]:
    with session_factory() as session:
        return list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def test_signed_request_passes_and_forged_ones_are_refused(client, phone):
    params = phone.params("Bonjour")
    assert client.post("/sms/twilio", data=params).status_code == 403  # unsigned
    forged = {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    assert client.post("/sms/twilio", data=params, headers=forged).status_code == 403
    signature = phone.sign(params)
    other_body = dict(params, Body="Je veux annuler")
    assert (
        client.post(
            "/sms/twilio", data=other_body, headers={"X-Twilio-Signature": signature}
        ).status_code
        == 403
    )
    wrong_token = SmsPhone(client, token="another-account-token").sign(params)
    assert (
        client.post(
            "/sms/twilio", data=params, headers={"X-Twilio-Signature": wrong_token}
        ).status_code
        == 403
    )
    assert replies(
        client.post("/sms/twilio", data=params, headers={"X-Twilio-Signature": signature})
    )


def test_signature_uses_the_public_url_not_the_proxy_address(client, phone):
    params = phone.params("Bonjour")
    internal = phone.sign(params, base="http://testserver")
    assert (
        client.post(
            "/sms/twilio", data=params, headers={"X-Twilio-Signature": internal}
        ).status_code
        == 403
    )
    assert phone.post(params).status_code == 200


def test_no_auth_token_configured_refuses_everything(make_client, settings):
    client = make_client(settings, twilio_auth_token="")
    assert SmsPhone(client).send("Bonjour").status_code == 403


def test_rasa_down_gives_an_apology_and_keeps_messages_in_order(phone, session_factory):
    assert replies(phone.send("Bonjour")) == [fr(messages.BUSY)]
    # One apology per outage: the next messages are kept silently, in order.
    assert replies(phone.send("Je veux renouveler ma carte")) == []
    rows = inbound_rows(session_factory)
    assert [r.status for r in rows] == ["queued", "queued"]
    assert [r.resolved for r in rows] == ["Bonjour", "Je veux renouveler ma carte"]


def test_duplicate_message_sid_is_processed_once(phone, session_factory):
    params = phone.params("Bonjour")
    first, second = phone.post(params), phone.post(params)
    assert replies(first) == [fr(messages.BUSY)]
    assert replies(second) == []
    assert len(inbound_rows(session_factory)) == 1
    with session_factory() as session:
        assert (
            session.scalar(select(OutboundMessage).where(OutboundMessage.address == PHONE)).status
            == "inline"
        )


def test_every_reply_is_recorded_with_segments_and_encoding(phone, session_factory):
    [text] = replies(phone.send("Bonjour"))
    with session_factory() as session:
        [row] = session.scalars(select(OutboundMessage)).all()
    assert (row.body, row.encoding, row.segments, row.address) == (text, "GSM-7", 1, PHONE)


def test_stop_really_stops_outbound_sends(settings, phone, session_factory, twilio_api):
    assert replies(phone.send("STOP")) == [fr(messages.OPTED_OUT)]
    assert replies(phone.send("Bonjour")) == []  # read, recorded, not answered
    service_sender = TwilioSender(settings, session_factory)  # what the scheduler uses
    reminder = service_sender.send_text(PHONE, "Rappel : rendez-vous mardi", "fr")
    assert twilio_api.calls_to("Messages.json") == []
    with session_factory() as session:
        assert session.get(OutboundMessage, reminder.outbound_id).status == "suppressed_opt_out"

    assert replies(phone.send("start")) == [fr(messages.OPTED_IN)]
    again = service_sender.send_text(PHONE, "Rappel : rendez-vous à « 14 h » mercredi", "fr")
    [call] = twilio_api.calls_to("Messages.json")
    assert (call["To"], call["Body"], call["From"]) == (
        PHONE,
        'Rappel : rendez-vous à "14 h" mercredi',
        "+33700000000",
    )
    assert call["StatusCallback"] == f"{PUBLIC_URL}/sms/twilio/status"
    with session_factory() as session:
        row = session.get(OutboundMessage, again.outbound_id)
    assert row.status == "queued" and row.provider_id.startswith("SM")


def test_help_answers_without_losing_the_menu(phone, session_factory):
    _give_menu(
        session_factory,
        ['/inform{"procedure_kind":"renewal"}', '/inform{"procedure_kind":"first"}'],
    )
    assert replies(phone.send("aide")) == [fr(messages.HELP)]
    phone.send("2.")
    assert inbound_rows(session_factory)[-1].resolved == '/inform{"procedure_kind":"first"}'


def _give_menu(session_factory, payloads, pages=()):
    with session_factory.begin() as session:
        session.add(
            Contact(
                channel="sms",
                address=PHONE,
                language="fr",
                last_menu=list(payloads),
                pages_left=list(pages),
            )
        )


def test_numbered_reply_selects_the_payload_of_the_last_menu(phone, session_factory):
    _give_menu(session_factory, ["/affirm", "/deny", "/menu"])
    for text, expected in [(" 2 ", "/deny"), ("3", "/menu"), ("1.", "/affirm"), ("0", "/menu")]:
        phone.send(text)
        assert inbound_rows(session_factory)[-1].resolved == expected, text
    assert replies(phone.send("7")) == [fr(messages.NOT_IN_MENU, count=3)]


def test_suite_pages_through_long_content(phone, session_factory):
    _give_menu(session_factory, [], pages=["page deux", "page trois"])
    assert replies(phone.send("SUITE")) == ["page deux"]
    assert replies(phone.send("more")) == ["page trois"]
    # Without a page of ours left, "suite" is the dialogue's (the checklist's next part).
    phone.send("suite")
    assert inbound_rows(session_factory)[-1].resolved == "suite"


def test_mms_without_body_gets_a_text_only_answer(phone):
    assert replies(phone.send("", NumMedia="1", MediaUrl0="https://api.twilio.com/media/1")) == [
        fr(messages.TEXT_ONLY)
    ]


def test_flood_is_answered_once_and_nothing_is_dropped(make_client, settings, session_factory):
    phone = SmsPhone(make_client(settings, flood_per_minute=3))
    answers = [replies(phone.send(f"message {i}")) for i in range(6)]
    assert answers[0] == [fr(messages.BUSY)]
    assert answers[3] == [fr(messages.FLOOD)]
    assert answers[1] == answers[2] == answers[4] == answers[5] == []
    rows = inbound_rows(session_factory)
    assert len(rows) == 6 and all(r.status == "queued" for r in rows)
    assert [r.resolved for r in rows] == [f"message {i}" for i in range(6)]


def test_late_reply_goes_through_the_rest_api(make_client, settings, session_factory, twilio_api):
    phone = SmsPhone(make_client(settings, sms_reply_deadline_seconds=0.0))
    assert replies(phone.send("Bonjour")) == []
    [call] = twilio_api.wait_for("Messages.json")
    assert call["Body"] == fr(messages.BUSY) and call["To"] == PHONE
    deadline = time.monotonic() + 5
    while True:  # the sender records Twilio's answer just after Twilio received the call
        with session_factory() as session:
            row = session.scalar(select(OutboundMessage))
        if row.provider_id or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert row.provider_id and row.provider_id.startswith("SM") and row.status == "queued"


def test_status_callback_updates_the_recorded_send(phone, session_factory):
    phone.send("Bonjour")
    with session_factory() as session:
        row = session.scalar(select(OutboundMessage))
    path = f"/sms/twilio/status?outbound={row.id}"
    status = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered", "AccountSid": "ACtest"}
    assert phone.client.post(path, data=status).status_code == 403
    assert phone.post(status, path=path).status_code == 204
    late_sent = dict(status, MessageStatus="sent")
    assert phone.post(late_sent, path="/sms/twilio/status").status_code == 204
    with session_factory() as session:
        row = session.get(OutboundMessage, row.id)
    assert (row.status, row.provider_id) == ("delivered", "SM" + "1" * 32)


def test_database_down_keeps_the_message_on_disk_and_says_so(make_client, settings, tmp_path):
    from sqlalchemy.orm import sessionmaker

    from bot.db import make_engine
    from bot.gateway.app import create_app
    from tests.support.servers import closed_port

    broken = sessionmaker(
        bind=make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/none")
    )
    from fastapi.testclient import TestClient

    with TestClient(create_app(settings, broken)) as client:
        # Kept in the spool, recorded and answered once the database is back.
        assert replies(SmsPhone(client).send("Bonjour")) == [fr(messages.BUSY)]
        assert len(list(Path(settings.spool_dir).glob("*.msg"))) == 1
        # With nowhere to keep it either, the person is told to send it again.
        unwritable = tmp_path / "file"
        unwritable.write_text("")
        app = create_app(replace(settings, spool_dir=str(unwritable / "spool")), broken)
        with TestClient(app) as other:
            assert replies(SmsPhone(other).send("Bonjour")) == [fr(messages.DATABASE_DOWN)]
