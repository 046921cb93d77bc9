from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.gateway.app import create_app
from tests.support import providers
from tests.support.booking import SERVICE_TOKEN
from tests.support.channels import AUTH_TOKEN, PUBLIC_URL, TELEGRAM_SECRET, SmsPhone
from tests.support.servers import free_port


@pytest.fixture
def twilio_api() -> Iterator[providers.Recorder]:
    server = providers.twilio_server()
    yield server
    server.stop()


@pytest.fixture
def telegram_api() -> Iterator[providers.Recorder]:
    server = providers.telegram_server()
    yield server
    server.stop()


@pytest.fixture
def session_factory(sqlite_factory) -> sessionmaker[Session]:
    """A database migrated by Alembic (0001 + 0002_channels), fresh for each test."""
    return sqlite_factory


@pytest.fixture
def settings(twilio_api, telegram_api, tmp_path) -> Settings:
    return Settings(
        spool_dir=str(tmp_path / "spool"),
        secret_key="test-key",
        public_url=PUBLIC_URL,
        service_token=SERVICE_TOKEN,
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


@pytest.fixture
def make_client(session_factory):
    clients: list[TestClient] = []

    def make(settings: Settings, **changes: object) -> TestClient:
        client = TestClient(create_app(replace(settings, **changes), session_factory))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client, settings) -> TestClient:
    return make_client(settings)


@pytest.fixture
def phone(client) -> SmsPhone:
    return SmsPhone(client)
