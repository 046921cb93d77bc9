"""`guichet purge`: old conversations, trackers and journals go; what is still open stays."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from bot.channels.models import Contact, InboundMessage, OutboundMessage
from bot.cli import main
from bot.db import make_engine, make_session_factory, utcnow
from bot.gateway.purge import Retention, purge


def _tracker(path: Path, now_ts: float) -> Engine:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL)")
        db.executemany(
            "INSERT INTO events (sender_id, timestamp) VALUES (?, ?)",
            [("old", now_ts - 200 * 86400), ("old", now_ts - 100 * 86400), ("new", now_ts - 60)],
        )
    return make_engine(f"sqlite:///{path}")


def test_purge_deletes_what_is_past_retention_once(sqlite_engine: Engine, tmp_path: Path) -> None:
    now = utcnow()
    old = now - timedelta(days=120)
    with make_session_factory(sqlite_engine)() as session, session.begin():
        contact = Contact(channel="sms", address="+33611110001")
        session.add(contact)
        session.flush()
        for i, (at, status) in enumerate(
            [(old, "done"), (old, "queued"), (now, "done")]  # a kept message is never purged
        ):
            inbound = InboundMessage(
                channel="sms",
                external_id=f"SM{i}",
                contact_id=contact.id,
                body="x",
                status=status,
                received_at=at,
            )
            session.add(inbound)
            session.flush()
            session.add(
                OutboundMessage(
                    channel="sms",
                    address="+33611110001",
                    body="y",
                    inbound_id=inbound.id,
                    created_at=at,
                )
            )
    tracker = _tracker(tmp_path / "tracker.db", now.timestamp())
    lines: list[str] = []
    dry = purge(sqlite_engine, tracker, Retention(), now=now, dry_run=True, progress=lines.append)
    assert dry["conversation messages"] == 1 and dry["Rasa tracker events"] == 2
    assert lines[0].startswith("would delete")
    done = purge(sqlite_engine, tracker, Retention(), now=now, progress=lines.append)
    assert done == dry
    with make_session_factory(sqlite_engine)() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 2
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 1
    again = purge(sqlite_engine, tracker, Retention(), now=now, progress=lines.append)
    assert set(again.values()) == {0}  # idempotent
    assert purge(sqlite_engine, tracker, Retention.uniform(0), now=now)["Rasa tracker events"] == 1


def test_guichet_purge_command(tmp_path: Path, monkeypatch, capsys) -> None:
    from bot.db import upgrade

    url = f"sqlite:///{tmp_path / 'g.db'}"
    upgrade(make_engine(url))
    monkeypatch.setenv("GUICHET_DATABASE_URL", url)
    _tracker(tmp_path / "t.db", utcnow().timestamp())
    args = ["purge", "--older-than", "30", "--rasa-tracker-url", f"sqlite:///{tmp_path / 't.db'}"]
    assert main([*args, "--dry-run"]) == 0
    assert "would delete 2 Rasa tracker events" in capsys.readouterr().out
    assert main(args) == 0
    assert "deleted 2 Rasa tracker events" in capsys.readouterr().out
