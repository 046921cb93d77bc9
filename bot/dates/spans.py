"""Spans of days the reader finds, and the calendar arithmetic that builds them."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import NamedTuple

# "As soon as possible" searches this far: bookings open two months ahead
# (000_e60855a9c543fb9c.txt, Préfecture de la Dordogne); callers clamp to the démarche's horizon.
ASAP_DAYS = 62


class Found(NamedTuple):
    start: date
    end: date
    # The precise day a relative phrase points at ("dans 2 semaines" → today + 14): used for expiry.
    point: date | None
    used: tuple[int, ...]


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month_part(year: int, month: int, part: str | None) -> tuple[date, date, date | None]:
    last = month_end(year, month)
    if part == "start":
        return date(year, month, 1), date(year, month, 10), date(year, month, 1)
    if part == "mid":
        return date(year, month, 11), date(year, month, 20), date(year, month, 15)
    if part == "end":
        return date(year, month, 21), last, last
    return date(year, month, 1), last, None
