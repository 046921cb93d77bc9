from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from bot.config import Settings
from bot.gateway.app import create_app
from bot.ports import free_port
from tests.channels import fakes

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_URL = "https://guichet.example.fr"
TELEGRAM_SECRET = "s3cret-Token_for-tests"
PHONE = "+33612345678"


# A port nothing listens on: Rasa "down" is a real refused connection.
closed_port = free_port


@pytest.fixture
def twilio_api() -> Iterator[fakes._Recorder]:
    server = fakes.twilio_server()
    yield server
    server.stop()


@pytest.fixture
def telegram_api() -> Iterator[fakes._Recorder]:
    server = fakes.telegram_server()
    yield server
    server.stop()


class RecordingOutbox:
    """What a gateway process sends through the provider's REST API (the answers to messages
    that waited for it), in order."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def deliver(self, messages) -> None:
        self.texts += [message.text for message in messages]


@pytest.fixture
def session_factory(sqlite_factory) -> sessionmaker[Session]:
    """A database migrated by Alembic (0001 + 0002_channels), fresh for each test."""
    return sqlite_factory


@pytest.fixture
def settings(twilio_api, telegram_api) -> Settings:
    return Settings(
        public_url=PUBLIC_URL,
        rasa_url=f"http://127.0.0.1:{free_port()}",
        actions_port=free_port(),
        twilio_account_sid="ACtest",
        twilio_auth_token=AUTH_TOKEN,
        twilio_from="+33700000000",
        twilio_api_base_url=twilio_api.url,
        telegram_bot_token="123:ABC",
        telegram_secret_token=TELEGRAM_SECRET,
        telegram_api_base_url=f"{telegram_api.url}/bot",
    )


def build_app(settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    return create_app(settings, session_factory)


@pytest.fixture
def make_client(session_factory):
    clients: list[TestClient] = []

    def make(settings: Settings, **changes: object) -> TestClient:
        client = TestClient(build_app(replace(settings, **changes), session_factory))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client, settings) -> TestClient:
    return make_client(settings)


class SmsPhone:
    """Posts what Twilio would post, signed with Twilio's own validator."""

    def __init__(self, client: TestClient, phone: str = PHONE, token: str = AUTH_TOKEN):
        self.client = client
        self.phone = phone
        self.token = token
        self.count = 0

    def params(self, body: str, sid: str | None = None, **extra: str) -> dict[str, str]:
        self.count += 1
        return {
            "MessageSid": sid or f"SMin{self.phone[-4:]}{self.count:06d}",
            "AccountSid": "ACtest",
            "From": self.phone,
            "To": "+33700000000",
            "Body": body,
            "NumMedia": "0",
            **extra,
        }

    def sign(self, params: dict[str, str], path: str = "/sms/twilio", base: str = PUBLIC_URL) -> str:
        return RequestValidator(self.token).compute_signature(base + path, params)

    def send(self, body: str, sid: str | None = None, **extra: str):
        params = self.params(body, sid, **extra)
        return self.post(params)

    def post(self, params: dict[str, str], path: str = "/sms/twilio"):
        return self.client.post(path, data=params, headers={"X-Twilio-Signature": self.sign(params, path)})


@pytest.fixture
def phone(client) -> SmsPhone:
    return SmsPhone(client)
