from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.channels import messages
from bot.channels.conversation import Conversations
from bot.channels.flood import FloodGate
from bot.channels.models import InboundMessage, OutboundMessage
from bot.channels.rasa_client import RasaClient
from bot.channels.shaping import sms_text
from bot.channels.turn import Incoming
from bot.i18n import translate
from tests.support.channels import PHONE, RecordingOutbox


def _workers(settings, factory, count: int) -> list[Conversations]:
    """Independent gateway workers sharing one database (no shared in-process lock)."""
    return [Conversations(settings, factory, {"sms": RecordingOutbox()}) for _ in range(count)]


def test_same_message_sid_on_concurrent_workers_is_processed_once(settings, any_factory):
    workers = _workers(settings, any_factory, 4)

    async def race():
        incoming = [Incoming("sms", PHONE, "SMrace0001", "Bonjour", phone=PHONE) for _ in workers]
        return await asyncio.gather(*(w.handle(i) for w, i in zip(workers, incoming, strict=True)))

    results = asyncio.run(race())
    assert sum(result is not None for result in results) == 1
    with any_factory() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 1
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 1


def test_first_messages_of_a_new_sender_on_two_workers_are_both_kept(settings, any_factory):
    first, second = _workers(settings, any_factory, 2)

    async def race():
        return await asyncio.gather(
            first.handle(Incoming("sms", PHONE, "SMnew1", "Bonjour", phone=PHONE)),
            second.handle(Incoming("sms", PHONE, "SMnew2", "Je veux un rendez-vous", phone=PHONE)),
        )

    results = asyncio.run(race())
    assert all(result is not None for result in results)
    with any_factory() as session:
        bodies = session.scalars(select(InboundMessage.body)).all()
    assert sorted(bodies) == ["Bonjour", "Je veux un rendez-vous"]


def test_one_sender_is_handled_in_order(settings, session_factory):
    [worker] = _workers(settings, session_factory, 1)

    async def burst():
        return await asyncio.gather(
            *(
                worker.handle(Incoming("sms", PHONE, f"SMo{i}", f"message {i}", phone=PHONE))
                for i in range(8)
            )
        )

    results = asyncio.run(burst())
    # One apology for the outage and nothing else (no flood notice: retrying the kept messages
    # must not count as the sender's). It goes inline, or through the outbox when the other
    # messages were already waiting behind the first by the time it was answered.
    inline = [o.text for r in results if r for o in r]
    heard = inline + worker.outboxes["sms"].texts
    assert heard == [sms_text(translate(messages.BUSY, "fr"), "fr")]
    with session_factory() as session:
        rows = session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
    assert [r.body for r in rows] == [f"message {i}" for i in range(8)]
    assert {r.status for r in rows} == {"queued"}


def test_metrics_and_health_report_the_channels(client, phone):
    phone.send("Bonjour")
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert 'guichet_messages_in_total{channel="sms"}' in metrics.text
    assert "guichet_rasa_errors_total" in metrics.text
    assert "guichet_reply_seconds_bucket" in metrics.text
    assert "guichet_sms_segments_total" in metrics.text
    health = client.get("/health").json()
    assert health["checks"]["rasa"]["ok"] is False
    assert health["checks"]["actions"]["ok"] is False
    assert health["checks"]["database"]["ok"] is True


class _EchoRasa(RasaClient):
    """Rasa taking 300 ms per turn, answering each message with itself, in the order heard."""

    def __init__(self, heard: list[str]) -> None:
        super().__init__("http://127.0.0.1:9")
        self.heard = heard

    async def send(self, client, sender, message, metadata):
        self.heard.append(message)
        await asyncio.sleep(0.3)
        return [{"recipient_id": sender, "text": message}]


class _ReadyEchoRasa(_EchoRasa):
    async def ready(self, client):
        return True


def test_replay_paces_only_the_messages_kept_for_a_flood(settings, session_factory):
    """Kept while Rasa was away, a message was counted when it came: its replay goes when Rasa
    is back even if the sender's minute is used up. One kept for a flood waits for room."""
    [worker] = _workers(settings, session_factory, 1)
    worker.flood = FloodGate(1)

    async def send(i: int):
        return await worker.handle(Incoming("sms", PHONE, f"SMf{i}", f"message {i}", phone=PHONE))

    asyncio.run(send(0))  # Rasa away: kept, with the apology
    asyncio.run(send(1))  # over 1 a minute: kept for the flood
    heard: list[str] = []
    worker.rasa = _ReadyEchoRasa(heard)
    asyncio.run(worker.replay.queued())
    assert heard == ["message 0"]
    with session_factory() as session:
        statuses = session.scalars(select(InboundMessage.status).order_by(InboundMessage.id))
        assert list(statuses) == ["done", "queued"]


@pytest.mark.postgres
def test_one_senders_messages_sent_alternately_to_two_gateways_are_answered_in_order(
    settings, postgres_factory
):
    heard: list[str] = []
    gateways = _workers(settings, postgres_factory, 2)
    for gateway in gateways:
        gateway.rasa = _EchoRasa(heard)

    async def alternate():
        tasks = []
        # 100 ms apart (a phone sends no faster), to one gateway then the other, as a load
        # balancer does: each arrives while the other gateway is still answering the one before
        # (Rasa takes 300 ms). At 30 ms apart a loaded machine could record i+1 before i.
        for i in range(12):
            message = Incoming("sms", PHONE, f"SMalt{i}", f"message {i}", phone=PHONE)
            tasks.append(asyncio.create_task(gateways[i % 2].handle(message)))
            await asyncio.sleep(0.1)
        await asyncio.gather(*tasks)

    asyncio.run(alternate())
    assert heard == [f"message {i}" for i in range(12)]
    with postgres_factory() as session:
        assert set(session.scalars(select(InboundMessage.status))) == {"done"}


def test_health_fails_when_the_database_file_is_gone(tmp_path, settings):
    from fastapi.testclient import TestClient

    from bot.db import make_engine, make_session_factory, upgrade
    from bot.gateway.app import create_app

    path = tmp_path / "gone.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with TestClient(create_app(settings, make_session_factory(engine))) as client:
        assert client.get("/health").json()["checks"]["database"]["ok"] is True
        path.unlink()
        response = client.get("/health")
        assert response.status_code == 503
        assert response.json()["checks"]["database"]["ok"] is False


def test_a_retaken_message_is_found_in_rasas_conversation_only_if_its_turn_stood():
    from bot.channels.rasa_client import answer_to

    def user(inbound: int) -> dict:
        return {"event": "user", "text": "1", "metadata": {"inbound": inbound}}

    bot = {"event": "bot", "text": "Noté.", "data": {"buttons": None, "custom": {"a": 1}}}
    assert answer_to([user(7), bot, {"event": "action", "name": "action_listen"}], 7) == [
        {"text": "Noté.", "custom": {"a": 1}}
    ]
    # Taken back after a failed turn: it must be sent again.
    assert answer_to([user(7), {"event": "rewind"}, {"event": "action"}], 7) is None
    assert answer_to([user(7)], 7) is None  # no answer recorded
    assert answer_to([user(6), bot], 7) is None  # never reached Rasa
    assert answer_to([user(7), bot, user(8), {**bot, "text": "Autre."}], 7) == [
        {"text": "Noté.", "custom": {"a": 1}}
    ]
