"""A real booking API for the actions: the gateway app on a temporary SQLite database seeded
with the demo catalogue and published slots, served by uvicorn in a thread on a free port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.booking import demo
from bot.booking.config import EngineConfig
from bot.config import Settings
from bot.db import make_engine, make_session_factory
from tests.support.booking import SERVICE_TOKEN
from tests.support.servers import free_port, serve_in_thread


@pytest.fixture(scope="session")
def booking_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API base URL (Settings.api_url form: http://host:port/api)."""
    from bot.gateway.app import create_app

    path: Path = tmp_path_factory.mktemp("api") / "guichet.db"
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{path}",
        port=port,
        api_url=f"http://127.0.0.1:{port}/api",
        service_token=SERVICE_TOKEN,
    )
    engine = make_engine(settings.database_url)
    demo.seed(engine, EngineConfig.from_settings(settings), now=datetime.now(UTC))
    app = create_app(settings, make_session_factory(engine))
    with serve_in_thread(app, port, lifespan="off"):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
        yield settings.api_url
    engine.dispose()


@pytest.fixture
def api_url(booking_api: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("GUICHET_API_URL", booking_api)
    monkeypatch.setenv("GUICHET_SERVICE_TOKEN", SERVICE_TOKEN)
    return booking_api


@pytest.fixture
def dead_api(monkeypatch: pytest.MonkeyPatch) -> str:
    """A URL where nothing listens: every call is refused at once."""
    url = f"http://127.0.0.1:{free_port()}/api"
    monkeypatch.setenv("GUICHET_API_URL", url)
    return url


@pytest.fixture
def silent_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A server that accepts connections and never answers: the client's 3 s timeout fires."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
    monkeypatch.setenv("GUICHET_API_URL", url)
    yield url
    sock.close()
