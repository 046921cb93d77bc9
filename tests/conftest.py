"""Shared fixtures: migrated databases (SQLite file, PostgreSQL schema), a controlled clock.

PostgreSQL: GUICHET_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
Each test session migrates its own schema (so parallel runs never collide) and drops it at the
end. Unreachable server: the tests skip with the reason, except when CI=true where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory
from tests.support.skips import unavailable

# Processes the tests start read their key and service token from the environment, never
# var/ of the checkout.
os.environ.setdefault("GUICHET_SECRET_KEY", "test-key")
os.environ.setdefault("GUICHET_SERVICE_TOKEN", "test-service-token")
os.environ.setdefault("GUICHET_SIGNING_KEY", "test-signing-key")

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class Clock:
    """An injectable `now` that tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    # A Monday morning in Paris (08:00 UTC = 09:00 CET), far from DST changes.
    return Clock(datetime(2026, 1, 12, 8, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def _migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrating once and copying the file keeps each test's fresh database cheap."""
    from bot.db import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    # Closing the last connection checkpoints the WAL into the file, which is then complete.
    engine.dispose()
    return path


@pytest.fixture
def sqlite_engine(_migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "guichet.db"
    shutil.copyfile(_migrated_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_factory(sqlite_engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(sqlite_engine)


def _postgres_unavailable(reason: str) -> None:
    unavailable(f"PostgreSQL unreachable ({reason}); set GUICHET_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    from bot.db import upgrade

    url = os.environ.get("GUICHET_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url, pool_size=1)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
    except Exception as exc:  # any connection problem means "no server here"
        admin.dispose()
        _postgres_unavailable(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    engine = make_engine(
        # 50 = the widest race in the tests; PostgreSQL's default max_connections is 100.
        url,
        connect_args={"options": f"-csearch_path={name}"},
        pool_size=50,
        max_overflow=0,
    )
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_factory(postgres_engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A clean schema for each test: every table emptied (the schema itself is migrated once)."""
    with postgres_engine.begin() as conn:
        names = conn.scalars(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'"
            )
        ).all()
        if names:
            tables = ", ".join(f'"{name}"' for name in names)
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield make_session_factory(postgres_engine)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_factory(request: pytest.FixtureRequest) -> sessionmaker[Session]:
    """Runs a test once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_factory")
