"""Opening ranges → slots: times in Paris, public holidays skipped, never duplicated."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from bot.booking import publishing
from bot.booking.models import OpeningRange, Slot
from bot.timezone import PARIS
from tests.support import world
from tests.support.world import CONFIG, RESIDENT


def times(weekday, date_from, date_to, departement="24", **kw):
    return publishing.slot_times(
        weekday=weekday,
        start_time=kw.get("start", time(14)),
        end_time=kw.get("end", time(16)),
        guichets=2,
        valid_from=kw.get("valid_from", date(2020, 1, 1)),
        valid_to=kw.get("valid_to"),
        slot_minutes=20,
        date_from=date_from,
        date_to=date_to,
        tz=PARIS,
        closed_days=publishing.public_holidays(
            departement, range(date_from.year, date_to.year + 1)
        ),
    )


def test_tuesday_afternoons_in_paris_time_across_dst():
    winter = times(1, date(2026, 3, 24), date(2026, 3, 24))
    summer = times(1, date(2026, 3, 31), date(2026, 3, 31))
    assert [t.starts_at.astimezone(PARIS).time() for t in winter] == [
        time(14),
        time(14, 20),
        time(14, 40),
        time(15),
        time(15, 20),
        time(15, 40),
    ]
    assert winter[0].starts_at == datetime(2026, 3, 24, 13, tzinfo=UTC)
    assert summer[0].starts_at == datetime(2026, 3, 31, 12, tzinfo=UTC)
    assert all(t.capacity == 2 for t in winter)


def test_public_holidays_are_skipped():
    # Tuesday 14 July 2026 (fête nationale) and Monday 6 April 2026 (lundi de Pâques).
    assert times(1, date(2026, 7, 14), date(2026, 7, 14)) == []
    assert times(0, date(2026, 4, 6), date(2026, 4, 6)) == []
    assert len(times(0, date(2026, 4, 13), date(2026, 4, 13))) == 6


def test_alsace_moselle_has_its_own_holidays():
    # Friday 3 April 2026 is Good Friday: a holiday in Moselle, not in Dordogne.
    assert times(4, date(2026, 4, 3), date(2026, 4, 3), departement="57") == []
    assert len(times(4, date(2026, 4, 3), date(2026, 4, 3), departement="24")) == 6


def test_validity_period_is_respected():
    assert times(1, date(2026, 1, 1), date(2026, 1, 31), valid_from=date(2026, 1, 20)) != []
    assert all(
        t.starts_at.date() >= date(2026, 1, 20)
        for t in times(1, date(2026, 1, 1), date(2026, 1, 31), valid_from=date(2026, 1, 20))
    )
    assert times(1, date(2026, 1, 1), date(2026, 1, 31), valid_to=date(2026, 1, 5)) == []


def test_publishing_twice_never_duplicates(sqlite_factory, clock):
    with sqlite_factory.begin() as session:
        world.build(session, now=clock())
        first = publishing.publish(session, CONFIG, now=clock())
    with sqlite_factory.begin() as session:
        second = publishing.publish(session, CONFIG, now=clock())
        assert second.created == 0 and second.already_published == first.created
        assert session.scalar(select(func.count(Slot.id))) == first.created


def test_publishing_skips_past_slots_and_stops_at_the_horizon(sqlite_factory, clock):
    clock.now = datetime(2026, 1, 13, 13, 30, tzinfo=UTC)  # Tuesday 14:30 Paris
    with sqlite_factory.begin() as session:
        world.build(session, now=clock())
        publishing.publish(session, CONFIG, now=clock(), demarche_code=RESIDENT)
        slots = world.slots(session)
    assert slots[0].starts_at == datetime(2026, 1, 13, 13, 40, tzinfo=UTC)
    assert (slots[-1].starts_at - clock()).days < 60


@pytest.mark.postgres
def test_concurrent_publishers_never_duplicate_on_postgres(postgres_factory, clock):
    with postgres_factory.begin() as session:
        world.build(session, guichets=3, now=clock())

    def run(_: int) -> int:
        with postgres_factory.begin() as session:
            return publishing.publish(session, CONFIG, now=clock()).created

    with ThreadPoolExecutor(max_workers=6) as pool:
        created = list(pool.map(run, range(6)))
    with postgres_factory() as session:
        total = session.scalar(select(func.count(Slot.id)))
        ranges = session.scalar(select(func.count(OpeningRange.id)))
    assert sum(created) == total and total > 0 and ranges == 2
