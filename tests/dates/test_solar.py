"""The Solar Hijri calendar against dates printed in Iranian and Afghan calendars."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dates.solar import month_span, nowruz, solar_year, to_gregorian


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (1395, date(2016, 3, 20)),
        (1396, date(2017, 3, 21)),
        (1399, date(2020, 3, 20)),
        (1402, date(2023, 3, 21)),
        (1403, date(2024, 3, 20)),
        (1404, date(2025, 3, 21)),
    ],
)
def test_nowruz(year: int, expected: date) -> None:
    assert nowruz(year) == expected


def test_months_and_leap_years() -> None:
    assert month_span(1405, 10) == (date(2026, 12, 22), date(2027, 1, 20))  # Dey / Jadi
    assert month_span(1403, 7) == (date(2024, 9, 22), date(2024, 10, 21))  # Mehr / Mizan
    assert to_gregorian(1403, 12, 30) == date(2025, 3, 20)  # 1403 is a leap year
    assert to_gregorian(1404, 12, 30) is None  # 1404 is not
    assert to_gregorian(1404, 1, 32) is None
    assert solar_year(date(2026, 12, 5)) == 1405
    assert solar_year(date(2026, 3, 20)) == 1404


def test_every_day_of_a_century_follows_the_one_before() -> None:
    day = nowruz(1380)
    for year in range(1380, 1480):
        for month in range(1, 13):
            start, end = month_span(year, month)
            assert start == day and end >= start
            day = end.fromordinal(end.toordinal() + 1)
    assert nowruz(1480) == day
