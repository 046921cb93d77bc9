"""Whatever reaches the webhooks, the gateway never answers 5xx (Twilio and Telegram would
retry or give up; a 4xx or a polite 200 is always possible)."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.channels import TELEGRAM_SECRET, SmsPhone

_ids = itertools.count()

nasty_text = st.one_of(
    st.just(""),
    st.text(max_size=200),
    st.text(min_size=1, max_size=20).map(lambda s: (s * (10_240 // len(s) + 1))[:10_240]),  # 10 kB
    st.sampled_from(["😀🇫🇷", "\u200fمرحبا\u200e 2", "\x00\x01\x1b[31m", "é" * 500, "\ud7ff"]),
    st.text(alphabet=st.sampled_from("\x00\x07\x1b\u202e\u200f\u200e\ufeff😀a2 "), max_size=50),
)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(body=nasty_text, media=st.sampled_from(["0", "1", "", "x"]))
def test_signed_sms_bodies_never_5xx(client, body, media):
    phone = SmsPhone(client)
    response = phone.send(body, sid=f"SMfuzz{next(_ids)}", NumMedia=media)
    assert response.status_code < 500


@FUZZ
@given(
    raw=st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(str.encode)),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/json",
            "text/plain",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "",
        ]
    ),
    path=st.sampled_from(["/sms/twilio", "/sms/twilio/status", "/telegram/webhook"]),
    signed=st.booleans(),
)
def test_any_body_any_content_type_never_5xx(client, raw, content_type, path, signed):
    headers = {"Content-Type": content_type} if content_type else {}
    if signed:
        headers["X-Twilio-Signature"] = SmsPhone(client).sign({}, path=path)
        headers["X-Telegram-Bot-Api-Secret-Token"] = TELEGRAM_SECRET
    response = client.post(path, content=raw, headers=headers)
    assert response.status_code < 500


@FUZZ
@given(text=nasty_text, update_id=st.integers(min_value=0, max_value=2**40))
def test_telegram_texts_never_5xx(client, text, update_id):
    body = {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "text": text,
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    assert client.post("/telegram/webhook", json=body, headers=headers).status_code < 500
