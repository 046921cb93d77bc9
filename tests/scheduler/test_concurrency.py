"""Two workers on one PostgreSQL database: each message is claimed by one of them only."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.booking import bookings
from bot.booking.models import Slot
from bot.scheduler.models import ScheduledMessage
from bot.scheduler.notifier import ChannelsNotifier
from bot.scheduler.worker import Worker
from tests.support.world import CONFIG, one_place_world

PEOPLE = 12


@pytest.mark.postgres
def test_two_workers_racing_send_each_reminder_once(postgres_factory, settings, twilio, clock):
    with postgres_factory.begin() as session:
        one_place_world(session, now=clock(), guichets=PEOPLE)
        slot = session.scalars(select(Slot)).one()
        for index in range(PEOPLE):
            bookings.book(
                session, CONFIG, bookings.BookRequest(slot.id, f"+3361000{index:04d}"), now=clock()
            )
    clock.now = datetime(2026, 1, 20, 13, 0, tzinfo=UTC) - timedelta(hours=47)
    notifiers = [ChannelsNotifier(settings, postgres_factory) for _ in range(2)]
    workers = [Worker(postgres_factory, CONFIG, n, clock=clock) for n in notifiers]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(worker: Worker) -> None:
        try:
            barrier.wait()
            worker.tick()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for notifier in notifiers:
        notifier.close()
    assert errors == []
    posted = [call["To"] for call in twilio.calls_to("Messages.json")]
    assert sorted(posted) == sorted(f"+3361000{index:04d}" for index in range(PEOPLE))
    with postgres_factory() as session:
        statuses = session.scalars(select(ScheduledMessage.status)).all()
    assert statuses == ["sent"] * PEOPLE
