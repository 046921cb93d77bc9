"""Fixtures of the booking tests (the small world itself: tests/support/world.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.gateway.app import create_app
from tests.support import world
from tests.support.booking import SERVICE_TOKEN
from tests.support.servers import free_port, serve_in_thread


@pytest.fixture
def db(any_factory: sessionmaker[Session], clock) -> sessionmaker[Session]:
    """The small world, published, on SQLite and on PostgreSQL (any_factory's parameters)."""
    with any_factory.begin() as session:
        world.build_and_publish(session, now=clock())
    return any_factory


@pytest.fixture
def server(sqlite_factory: sessionmaker[Session], clock) -> Iterator[str]:
    """The booking API of the small world, published, served by uvicorn: its base URL."""
    with sqlite_factory.begin() as session:
        world.build_and_publish(session, now=clock())
    settings = Settings(
        database_url="sqlite://",
        secret_key="test-key",
        admin_token="s3cret",
        service_token=SERVICE_TOKEN,
    )
    app = create_app(settings, sqlite_factory, clock=clock)
    with serve_in_thread(app, free_port(), lifespan="off") as base:
        yield f"{base}/api"
