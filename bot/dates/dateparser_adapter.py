"""dateparser, for canonical absolute dates only ("3 mars", "29/2/2028").

dateparser misreads SMS text, so the reader hands it nothing else; it is good at resolving a
day and month with a preferred direction in time (future for bookings, past for expiry dates).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

_FR_MONTHS = (
    "",
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
)


@lru_cache(maxsize=256)
def _dateparser(prefer: str, base: date) -> DateDataParser:
    # One language, settings built once per (direction, day): the parser stays warm (~0.4 ms).
    # Imported here: the booking engine uses this package's part-of-day table without it.
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["fr"],
        settings={
            "PREFER_DATES_FROM": prefer,
            "RELATIVE_BASE": datetime.combine(base, time()),
            "DATE_ORDER": "DMY",
            "RETURN_AS_TIMEZONE_AWARE": False,
            # Only ever given a canonical absolute date: skipping the relative, timestamp and
            # no-space parsers makes a parse 3-5 times cheaper.
            "PARSERS": ["absolute-time"],
        },
    )


def absolute_day(day: int, month: int, year: int | None, today: date, prefer: str) -> date | None:
    """Resolves day+month(+year) through dateparser; "future" includes today."""
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    # Measured cheapest canonical forms: "3 mars" without a year, "3/3/2027" with one.
    text = f"{day}/{month}/{year}" if year else f"{day} {_FR_MONTHS[month]}"
    base = today - timedelta(days=1) if prefer == "future" else today
    found = _dateparser(prefer, base).get_date_data(text).date_obj
    if found is None or found.day != day or found.month != month:
        return None
    return found.date()
