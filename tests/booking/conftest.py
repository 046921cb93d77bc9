"""Fixtures of the booking tests (the small world itself: tests/support/world.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.support import world
from tests.support.booking import ADMIN_TOKEN, published_app
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
    app = published_app(sqlite_factory, clock, admin_token=ADMIN_TOKEN)
    with serve_in_thread(app, free_port(), lifespan="off") as base:
        yield f"{base}/api"
