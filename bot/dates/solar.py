"""The Solar Hijri calendar (Iran's and Afghanistan's): its days as Gregorian dates.

Afghans and Iranians often say a month by its solar name (« ماه حوت », « ۲۵ اسفند »), and the
month does not match a Gregorian one (Hut is 20 February – 20 March). The arithmetic is Borkowski's
33-year leap cycle with its break years, as in jalaali-js, exact from 1178 to 3177 Solar Hijri;
only its results (the date of Nowruz, 1 Farvardin / Hamal) are used here.
"""

from __future__ import annotations

from datetime import date, timedelta

# Solar Hijri years where the 33-year cycle's leap pattern breaks (jalaali-js `breaks`).
_BREAKS = (
    -61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324,
    2394, 2456, 3178,
)  # fmt: skip
# Solar years are Gregorian ones minus 621 from Nowruz (in March), minus 622 before it.
OFFSET = 621


def nowruz(year: int) -> date:
    """The first day (1 Farvardin, 1 Hamal) of the Solar Hijri `year`, in the Gregorian calendar."""
    if not _BREAKS[0] <= year < _BREAKS[-1]:
        raise ValueError(f"Solar Hijri year out of range: {year}")
    leap_j = -14
    previous = _BREAKS[0]
    jump = 0
    for brk in _BREAKS[1:]:
        jump = brk - previous
        if year < brk:
            break
        leap_j += jump // 33 * 8 + jump % 33 // 4
        previous = brk
    n = year - previous
    leap_j += n // 33 * 8 + (n % 33 + 3) // 4
    if jump % 33 == 4 and jump - n == 4:
        leap_j += 1
    gregorian = year + OFFSET
    leap_g = gregorian // 4 - (gregorian // 100 + 1) * 3 // 4 - 150
    return date(gregorian, 3, 20 + leap_j - leap_g)


def month_start(year: int, month: int) -> date:
    """The first day of a solar month: the first six have 31 days, the next five 30."""
    before = (month - 1) * 31 if month <= 7 else 186 + (month - 7) * 30
    return nowruz(year) + timedelta(days=before)


def month_span(year: int, month: int) -> tuple[date, date]:
    """The first and last Gregorian days of a solar month (Esfand / Hut ends the day before the
    next Nowruz: 29 or 30 days)."""
    end = nowruz(year + 1) if month == 12 else month_start(year, month + 1)
    return month_start(year, month), end - timedelta(days=1)


def to_gregorian(year: int, month: int, day: int) -> date | None:
    """The Gregorian date of a solar one, None when the month has no such day."""
    start, end = month_span(year, month)
    if not 1 <= day <= (end - start).days + 1:
        return None
    return start + timedelta(days=day - 1)


def solar_year(day: date) -> int:
    """The Solar Hijri year `day` falls in."""
    year = day.year - OFFSET
    return year if day >= nowruz(year) else year - 1
