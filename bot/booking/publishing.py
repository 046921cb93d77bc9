"""Publishing: opening ranges become slots over a period, skipping French public holidays.

Publishing twice never duplicates a slot: rows are inserted with ON CONFLICT DO NOTHING on
(site, démarche, start), which the unique constraint guarantees even for two publishers at once.
New places are offered to the waitlist straight away.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.booking import offers
from bot.booking.config import EngineConfig
from bot.booking.models import DemarcheRow, OpeningRange, SiteRow, Slot

# Départements with public holidays of their own (Alsace-Moselle, overseas), as `holidays` names them.
_HOLIDAY_SUBDIVISIONS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
}


def public_holidays(departement: str, years: Iterable[int]) -> frozenset[date]:
    return _public_holidays(_HOLIDAY_SUBDIVISIONS.get(departement), tuple(sorted(set(years))))


@lru_cache(maxsize=64)
def _public_holidays(subdiv: str | None, years: tuple[int, ...]) -> frozenset[date]:
    # Building the calendar is slow (~0.3 s): publishing asks for the same few years over and over.
    return frozenset(holidays.country_holidays("FR", subdiv=subdiv, years=list(years)).keys())


@dataclass(frozen=True)
class SlotTimes:
    starts_at: datetime
    ends_at: datetime
    capacity: int


def days_between(date_from: date, date_to: date) -> Iterator[date]:
    day = date_from
    while day <= date_to:
        yield day
        day += timedelta(days=1)


def slot_times(
    *,
    weekday: int,
    start_time: time,
    end_time: time,
    guichets: int,
    valid_from: date,
    valid_to: date | None,
    slot_minutes: int,
    date_from: date,
    date_to: date,
    tz: ZoneInfo,
    closed_days: frozenset[date] | set[date],
) -> list[SlotTimes]:
    """Pure: the slots one opening range yields between two dates (inclusive), in UTC."""
    step = timedelta(minutes=slot_minutes)
    first = max(date_from, valid_from)
    last = min(date_to, valid_to) if valid_to else date_to
    result: list[SlotTimes] = []
    for day in days_between(first, last):
        if day.weekday() != weekday or day in closed_days:
            continue
        start = datetime.combine(day, start_time, tzinfo=tz)
        close = datetime.combine(day, end_time, tzinfo=tz)
        while start + step <= close:
            result.append(
                SlotTimes(
                    start.astimezone(UTC),
                    (start + step).astimezone(UTC),
                    guichets,
                )
            )
            start += step
    return result


@dataclass
class PublishResult:
    created: int = 0
    already_published: int = 0
    created_slot_ids: list[int] = field(default_factory=list)
    offers_made: int = 0


def publish(
    session: Session,
    config: EngineConfig,
    *,
    now: datetime,
    date_from: date | None = None,
    date_to: date | None = None,
    site_code: str | None = None,
    demarche_code: str | None = None,
) -> PublishResult:
    """Publishes the slots of every matching opening range from `date_from` (default: today in
    Paris) to `date_to` (default: the end of each démarche's horizon)."""
    query = select(OpeningRange, DemarcheRow, SiteRow).join(DemarcheRow).join(SiteRow)
    if site_code:
        query = query.where(OpeningRange.site_code == site_code)
    if demarche_code:
        query = query.where(OpeningRange.demarche_code == demarche_code)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    result = PublishResult()
    for opening, demarche, site in session.execute(query.order_by(OpeningRange.id)).all():
        tz = ZoneInfo(site.timezone)
        today = now.astimezone(tz).date()
        start = max(date_from or today, today)
        end = date_to or today + timedelta(days=demarche.horizon_days)
        if end < start:
            continue
        times = slot_times(
            weekday=opening.weekday,
            start_time=opening.start_time,
            end_time=opening.end_time,
            guichets=opening.guichets,
            valid_from=opening.valid_from,
            valid_to=opening.valid_to,
            slot_minutes=demarche.slot_minutes,
            date_from=start,
            date_to=end,
            tz=tz,
            closed_days=public_holidays(site.departement, range(start.year, end.year + 1)),
        )
        rows = [
            {
                "site_code": site.code,
                "demarche_code": demarche.code,
                "starts_at": t.starts_at,
                "ends_at": t.ends_at,
                "capacity": t.capacity,
                "places_taken": 0,
                "published_at": now,
                "opening_range_id": opening.id,
            }
            for t in times
            if t.starts_at > now
        ]
        if not rows:
            continue
        # One multi-row statement; rows already published are skipped by the unique constraint
        # and simply not returned.
        created = session.scalars(
            insert(Slot)
            .on_conflict_do_nothing(index_elements=["site_code", "demarche_code", "starts_at"])
            .returning(Slot.id),
            rows,
        ).all()
        result.created += len(created)
        result.already_published += len(rows) - len(created)
        result.created_slot_ids.extend(created)
    if result.created_slot_ids:
        result.offers_made = len(
            offers.offer_places(session, config, now=now, slot_ids=result.created_slot_ids)
        )
    return result
