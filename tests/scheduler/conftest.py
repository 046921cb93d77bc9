from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.booking.config import EngineConfig
from bot.booking.models import OpeningRange, SiteDemarche
from bot.booking.publishing import publish
from bot.config import Settings
from bot.gateway.app import create_app
from bot.ports import free_port
from bot.scheduler.notifier import ChannelsNotifier
from bot.scheduler.worker import Worker
from tests.booking import world as booking_world
from tests.channels.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.channels.fakes import _Recorder
from tests.scheduler.fakes import telegram_with_documents, twilio_with_list

CONFIG = EngineConfig(secret_key="test-key", offer_hold=timedelta(hours=12))
RESIDENT = booking_world.RESIDENT
# Tuesday 20 January 2026, 14h00 Paris (13h00 UTC): the one place of this small world.
APPOINTMENT_DAY = date(2026, 1, 20)


def one_place_world(session: Session, *, now, guichets: int = 1) -> None:
    """pref-24, renewal of the carte de résident, Tuesdays 14h00-14h20: a single published slot."""
    session.add_all([booking_world.dordogne(), booking_world.resident_renewal()])
    session.flush()
    session.add_all(
        [
            SiteDemarche(site_code="pref-24", demarche_code=RESIDENT),
            OpeningRange(
                site_code="pref-24",
                demarche_code=RESIDENT,
                weekday=1,
                start_time=time(14),
                end_time=time(14, 20),
                guichets=guichets,
                valid_from=date(2026, 1, 1),
            ),
        ]
    )
    session.flush()
    publish(session, CONFIG, now=now, date_from=APPOINTMENT_DAY, date_to=APPOINTMENT_DAY)


@pytest.fixture
def twilio() -> Iterator[_Recorder]:
    server = twilio_with_list()
    yield server
    server.stop()


@pytest.fixture
def telegram() -> Iterator[_Recorder]:
    server = telegram_with_documents()
    yield server
    server.stop()


@pytest.fixture
def settings(twilio, telegram) -> Settings:
    return Settings(
        public_url=PUBLIC_URL,
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
    with TestClient(create_app(settings, world, clock=clock)) as client:
        yield client
