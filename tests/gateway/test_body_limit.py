"""A request-body limit on every route (issue 13, "Resources and bad input"): 80 bodies of 10 MB
took the gateway from 360 MB to 1.4 GB. Now a body beyond the limit is a 413, refused before it
is read (Content-Length) or as soon as it passes the limit (chunked)."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.gateway.app import create_app
from bot.gateway.body_limit import BodyLimit
from tests.support.booking import SERVICE, SERVICE_TOKEN
from tests.support.servers import free_port, serve_in_thread

TEN_MB = 10 * 1024 * 1024


@pytest.fixture
def client(sqlite_factory) -> TestClient:
    settings = Settings(database_url="sqlite://", secret_key="k", service_token=SERVICE_TOKEN)
    return TestClient(create_app(settings, sqlite_factory), raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/bookings", "application/json"),
        ("/api/v1/slots/search", "application/json"),
        ("/sms/twilio", "application/x-www-form-urlencoded"),
        ("/telegram/webhook", "application/json"),
        ("/nlg", "application/json"),
    ],
)
def test_ten_megabytes_are_refused_on_every_route(client, path, content_type):
    response = client.post(
        path,
        content=b"x" * TEN_MB,
        headers={**SERVICE, "content-type": content_type, "accept-language": "en"},
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "body_too_large" and "too large" in error["message"]


def test_a_twilio_sized_body_passes(client):
    assert client.post("/sms/twilio", data={"Body": "x" * 4000}).status_code == 403  # unsigned


def test_a_chunked_body_is_cut_at_the_limit_and_never_read_whole(sqlite_factory):
    """No Content-Length: the bytes are counted as they come, over a real socket."""
    settings = Settings(database_url="sqlite://", secret_key="k", service_token=SERVICE_TOKEN)
    app = create_app(settings, sqlite_factory)

    def chunks():
        for _ in range(TEN_MB // 65536):
            yield b"[" * 65536

    with serve_in_thread(app, free_port(), lifespan="off") as base:
        response = httpx.post(
            f"{base}/api/v1/bookings",
            content=chunks(),
            headers={**SERVICE, "content-type": "application/json"},
            timeout=30,
        )
    assert response.status_code == 413


def test_the_middleware_stops_reading_at_the_limit():
    """Memory is not kept: past the limit, `receive` is never called again."""
    pulled = 0
    chunk = b"x" * 65536

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled < 160}

    async def greedy_app(scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": "/api/v1/bookings", "headers": []}
    asyncio.run(BodyLimit(greedy_app, lambda _path: 64 * 1024)(scope, receive, send))
    assert pulled == 2  # 64 kB accepted, the next chunk crossed the limit: nothing more read
    assert sent[0]["status"] == 413


def test_an_unknown_response_name_is_logged_in_bounded_length(client, caplog):
    with caplog.at_level(logging.ERROR, logger="bot.gateway.nlg"):
        response = client.post(
            "/nlg",
            params={"token": Settings(secret_key="k").nlg_token},  # as Rasa calls it
            json={"response": "u" * 1_000_000, "tracker": {}},
        )
    assert response.status_code == 200
    assert caplog.records and all(len(r.getMessage()) < 500 for r in caplog.records)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "/api/v1/demarches/%00/sites", {}),
        ("get", "/api/v1/sites/resolve?q=38000&demarche=x%00", {}),
        (
            "post",
            "/api/v1/slots/search",
            {
                "content": b'{"demarche":"a\\u0000","site":"pref-38"}',
                "headers": {"content-type": "application/json"},
            },
        ),
        ("post", "/pan/login", {"data": {"login": "demo\x00x", "password": "x"}}),
        ("post", "/sms/twilio", {"data": {"From": "+3361111116\x001", "Body": "bonjour"}}),
    ],
)
def test_a_nul_byte_is_refused_in_the_envelope_never_a_500_on_postgresql(
    postgres_factory, method, path, kwargs
):
    # PostgreSQL text cannot hold NUL: each was a 500 without any credential, and a signed SMS
    # with one was spooled, then blocked every message spooled after it (session 30).
    settings = Settings(database_url="postgresql://", secret_key="k", service_token=SERVICE_TOKEN)
    client = TestClient(create_app(settings, postgres_factory), raise_server_exceptions=False)
    headers = {"accept-language": "en", **kwargs.pop("headers", {})}
    response = getattr(client, method)(path, headers=headers, **kwargs)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"
    # What a person sends still passes.
    assert client.get("/api/v1/demarches/carte_grise/sites").status_code != 422


@pytest.mark.parametrize(
    "body",
    [
        b'{"demarche":"remise 50%00","site":"pref-38"}',
        b'{"demarche":"a\\\\u0000","site":"pref-38"}',
    ],
)
def test_what_only_looks_like_a_nul_byte_is_the_routes_to_answer(client, body):
    # "50%00" typed, or a backslash before u0000, is no NUL: a 422 for it would have Telegram
    # send the update again and again.
    response = client.post(
        "/api/v1/slots/search", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500
    assert "\\0" not in response.json()["error"]["message"], response.text
