from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.gateway.app import create_app
from bot.scheduler.notifier import ChannelsNotifier
from bot.scheduler.worker import Worker
from tests.support.booking import SERVICE, SERVICE_TOKEN
from tests.support.channels import AUTH_TOKEN, PUBLIC_URL
from tests.support.providers import Recorder, telegram_with_documents, twilio_with_list
from tests.support.servers import free_port
from tests.support.world import CONFIG, one_place_world


@pytest.fixture
def twilio() -> Iterator[Recorder]:
    server = twilio_with_list()
    yield server
    server.stop()


@pytest.fixture
def telegram() -> Iterator[Recorder]:
    server = telegram_with_documents()
    yield server
    server.stop()


@pytest.fixture
def settings(twilio, telegram) -> Settings:
    return Settings(
        public_url=PUBLIC_URL,
        service_token=SERVICE_TOKEN,
        rasa_url=f"http://127.0.0.1:{free_port()}",
        actions_port=free_port(),
        secret_key="test-key",
        twilio_account_sid="ACtest",
        twilio_auth_token=AUTH_TOKEN,
        twilio_from="+33700000000",
        twilio_api_base_url=twilio.url,
        telegram_bot_token="123:ABC",
        telegram_secret_token="secret",
        telegram_api_base_url=f"{telegram.url}/bot",
    )


@pytest.fixture
def world(sqlite_factory: sessionmaker[Session], clock) -> sessionmaker[Session]:
    with sqlite_factory.begin() as session:
        one_place_world(session, now=clock())
    return sqlite_factory


@pytest.fixture
def make_worker(world, settings, clock):
    notifiers: list[ChannelsNotifier] = []

    def make(notifier=None) -> Worker:
        real = ChannelsNotifier(settings, world)
        notifiers.append(real)
        return Worker(world, CONFIG, notifier or real, clock=clock)

    yield make
    for notifier in notifiers:
        notifier.close()


@pytest.fixture
def gateway(world, settings, clock) -> Iterator[TestClient]:
    # Calls to the API come as the action server's (the service credential).
    with TestClient(create_app(settings, world, clock=clock), headers=SERVICE) as client:
        yield client
