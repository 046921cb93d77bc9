"""Bad input gets a 4xx with a clear message, never a 500 (issue 13: 52 of 3,057 fuzzed requests
got a 500): edge dates, deep JSON, non-ASCII digits, wrong types, huge numbers."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.channels.models import OutboundMessage
from bot.config import Settings
from bot.gateway.app import create_app
from tests.support import world
from tests.support.booking import SERVICE, SERVICE_TOKEN
from tests.support.channels import AUTH_TOKEN, PUBLIC_URL, SmsPhone
from tests.support.world import PHONE_A, RESIDENT

ADMIN = {"Authorization": "Bearer s3cret"}


@pytest.fixture
def client(sqlite_factory, clock) -> TestClient:
    with sqlite_factory.begin() as session:
        world.build_and_publish(session, now=clock())
    settings = Settings(
        database_url="sqlite://",
        secret_key="k",
        service_token=SERVICE_TOKEN,
        admin_token="s3cret",
        public_url=PUBLIC_URL,
        twilio_auth_token=AUTH_TOKEN,
        rasa_url="http://127.0.0.1:9",
    )
    app = create_app(settings, sqlite_factory, clock=clock)
    return TestClient(app, raise_server_exceptions=False, headers=SERVICE)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_edge_dates_are_refused_with_a_clear_message(client, day):
    search = {"demarche": RESIDENT, "site": "pref-24"}
    calls = [
        client.post("/api/v1/slots/search", json={**search, "date_from": day}),
        client.post("/api/v1/slots/search", json={**search, "date_to": day}),
        client.post(
            "/api/v1/deadline-alerts", json={"phone": PHONE_A, "demarche": RESIDENT, "expiry": day}
        ),
        client.get(
            "/api/v1/admin/convocations", params={"site": "pref-24", "day": day}, headers=ADMIN
        ),
        client.post("/api/v1/admin/publish", json={"date_to": day}, headers=ADMIN),
        client.post("/api/v1/waitlist", json={**search, "phone": PHONE_A, "rights_end": day}),
    ]
    for response in calls:
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize(
    "body",
    [
        {"slot_id": 10**30, "phone": PHONE_A},
        {"slot_id": "un", "phone": PHONE_A},
        {"slot_id": 1, "phone": ["+33612345678"]},
        {"slot_id": 1.5, "phone": PHONE_A},
    ],
)
def test_wrong_types_and_huge_numbers(client, body):
    assert client.post("/api/v1/bookings", json=body).status_code == 422


def test_deep_json_is_a_client_error(client):
    deep = "[" * 20000 + "]" * 20000
    nlg = f"/nlg?token={Settings(secret_key='k').nlg_token}"  # past the token, as Rasa
    for path in (nlg, "/api/v1/bookings"):
        response = client.post(path, content=deep, headers={"content-type": "application/json"})
        assert 400 <= response.status_code < 500 and response.status_code != 401, (
            path,
            response.status_code,
        )


@pytest.mark.parametrize("outbound", ["²", "٣", "１", "99999999999999999999999", "-1"])
def test_status_callback_reads_only_ascii_ids(client, sqlite_factory, outbound):
    with sqlite_factory.begin() as session:
        for index in range(3):
            session.add(OutboundMessage(channel="sms", address=PHONE_A, body=f"m{index}"))
    phone = SmsPhone(client)
    params = {"MessageSid": "SMunknown", "MessageStatus": "delivered"}
    path = f"/sms/twilio/status?outbound={quote(outbound)}"  # as Twilio sends it
    response = client.post(
        path, data=params, headers={"X-Twilio-Signature": phone.sign(params, path)}
    )
    assert response.status_code == 404
    with sqlite_factory() as session:
        assert {row.status for row in session.scalars(select(OutboundMessage))} == {"pending"}
