"""A database locked longer than the busy timeout while a signed SMS arrives (issue 13): the
message is kept and answered late through Twilio's REST API, never lost behind an empty 200."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from bot.channels.models import InboundMessage
from bot.channels.turn import Incoming
from bot.db import make_engine, make_session_factory, upgrade, utcnow
from bot.gateway.app import create_app
from tests.support.channels import PHONE, SmsPhone

# Short enough for a test, the same order as in production: the busy timeout (30 s there)
# outlasts Twilio's reply deadline (10 s there), so the webhook answers first.
BUSY_TIMEOUT_MS = 1500
REPLY_DEADLINE = 0.5
LOCK_HELD = 3.0


@contextlib.contextmanager
def sqlite_write_lock(path: Path, seconds: float) -> Iterator[None]:
    """Another process's write transaction on the file, released after `seconds`."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(seconds, lambda: (holder.execute("ROLLBACK"), holder.close()))
    release.start()
    try:
        yield
    finally:
        release.join()


def _inbound(factory) -> list[InboundMessage]:
    with factory() as session:
        return list(session.scalars(select(InboundMessage)))


def _sms_to(twilio_api, phone: str, count: int, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        bodies = [c["Body"] for c in twilio_api.calls_to("Messages.json") if c.get("To") == phone]
        if len(bodies) >= count:
            return bodies
        time.sleep(0.05)
    return bodies


def test_sms_during_a_sqlite_lock_beyond_the_busy_timeout_is_kept_and_answered_late(
    tmp_path, settings, twilio_api, monkeypatch
):
    monkeypatch.setattr("bot.db.SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)
    path = tmp_path / "locked.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    factory = make_session_factory(engine)
    app = create_app(replace(settings, sms_reply_deadline_seconds=REPLY_DEADLINE), factory)
    with TestClient(app) as client:
        phone = SmsPhone(client)
        with sqlite_write_lock(path, LOCK_HELD):
            response = phone.send("Bonjour", sid="SMlocked0001")
            assert response.status_code == 200
            # Kept on disk before the 200, sealed: no phone in clear there.
            [spooled] = (tmp_path / "spool").glob("*.msg")
            assert PHONE not in spooled.read_text() and "Bonjour" not in spooled.read_text()
        # Rasa is down in these tests: the answer owed is the apology saying the message is
        # kept, through the REST API, and the message waits in the inbox to be replayed.
        late = _sms_to(twilio_api, PHONE, 1)
        assert late, "no answer ever reached the phone: the message was lost"
        rows = _inbound(factory)
        assert [(r.external_id, r.status) for r in rows] == [("SMlocked0001", "queued")]
        assert "gardé" in late[0]
        assert not list((tmp_path / "spool").glob("*.msg"))
        # Twilio retrying the same MessageSid is still one message.
        assert phone.send("Bonjour", sid="SMlocked0001").status_code == 200
        assert len(_inbound(factory)) == 1
    engine.dispose()


def test_sms_whose_recording_fails_on_a_lock_is_apologised_for_then_replayed(
    tmp_path, settings, twilio_api, monkeypatch
):
    """The busy timeout runs out before Twilio's deadline: the apology goes inline, and the
    message is recorded and replayed once the database is free again."""
    monkeypatch.setattr("bot.db.SQLITE_BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "locked.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    factory = make_session_factory(engine)
    app = create_app(replace(settings, sms_reply_deadline_seconds=5.0), factory)
    with TestClient(app) as client:
        phone = SmsPhone(client)
        with sqlite_write_lock(path, 1.5):
            response = phone.send("Bonjour", sid="SMlocked0002")
        assert response.status_code == 200
        assert "gardé" in response.text, response.text
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _inbound(factory):
            time.sleep(0.1)
        rows = _inbound(factory)
        assert [r.external_id for r in rows] == ["SMlocked0002"]
    engine.dispose()


@pytest.mark.postgres
def test_sms_during_a_postgres_table_lock_is_answered_late(settings, postgres_factory, twilio_api):
    """PostgreSQL waits on a lock without a timeout: the webhook answers at Twilio's deadline
    and the message, once recorded, is answered through the REST API."""
    engine = postgres_factory.kw["bind"]  # the test schema's engine
    app = create_app(replace(settings, sms_reply_deadline_seconds=REPLY_DEADLINE), postgres_factory)
    with TestClient(app) as client, engine.connect() as holder:
        transaction = holder.begin()
        holder.execute(text("LOCK TABLE channel_inbound IN ACCESS EXCLUSIVE MODE"))
        release = threading.Timer(LOCK_HELD, transaction.rollback)
        release.start()
        response = SmsPhone(client).send("Bonjour", sid="SMlockedpg01")
        assert response.status_code == 200
        release.join()
        late = _sms_to(twilio_api, PHONE, 1)
        assert late, "no answer ever reached the phone: the message was lost"
        assert [r.external_id for r in _inbound(postgres_factory)] == ["SMlockedpg01"]


def test_a_message_spooled_during_a_lock_is_recorded_before_the_next_one_of_its_sender(
    tmp_path, settings, twilio_api
):
    """The first of four SMS sent during a lock was spooled; the three after it were recorded
    when the lock ended, before the replayer recorded the first: the person got its answer
    last, after three "not understood" (an attacker's test, session 22)."""
    path = tmp_path / "order.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    factory = make_session_factory(engine)
    app = create_app(settings, factory)
    with TestClient(app) as client:
        first = Incoming(
            channel="sms",
            address=PHONE,
            external_id="SMfirst0001",
            text="Je veux renouveler ma carte de résident",
        )
        app.state.channels.conversations.spool.keep(first, utcnow() - timedelta(seconds=6))
        assert SmsPhone(client).send("2", sid="SMsecond001").status_code == 200
        rows = sorted(_inbound(factory), key=lambda r: r.id)
        assert [r.external_id for r in rows] == ["SMfirst0001", "SMsecond001"]
        assert rows[0].received_at < rows[1].received_at
        assert not list((tmp_path / "spool").glob("*.msg"))
    engine.dispose()


@pytest.mark.postgres
def test_a_spooled_message_the_database_refuses_is_set_aside_not_holding_the_others(
    tmp_path, settings, twilio_api, postgres_factory
):
    """A signed SMS with a NUL byte was spooled, PostgreSQL refused it at every replay, and
    every message spooled after it waited for ever (an attacker's test, session 30)."""
    app = create_app(replace(settings, spool_dir=str(tmp_path / "spool")), postgres_factory)
    with TestClient(app) as client:
        conversations = app.state.channels.conversations
        poison = Incoming(
            channel="sms", address="+3361111116\x001", external_id="SMnul00001", text="allo"
        )
        good = Incoming(channel="sms", address=PHONE, external_id="SMgood0001", text="bonjour")
        conversations.spool.keep(poison, utcnow() - timedelta(seconds=9))
        conversations.spool.keep(good, utcnow() - timedelta(seconds=8))
        client.portal.call(conversations.replay.spooled)  # raised DataError, recorded nothing
        assert [r.external_id for r in _inbound(postgres_factory)] == ["SMgood0001"]
        assert len(list((tmp_path / "spool").glob("*.rejected"))) == 1
        assert not list((tmp_path / "spool").glob("*.msg"))
