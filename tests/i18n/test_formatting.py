"""babel formatting per language, in Paris time, SMS-friendly."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.formatting import (
    FSI,
    LRM,
    PDI,
    RLM,
    format_date,
    format_number,
    format_time,
    format_when,
    isolate_ltr,
    needs_isolation,
    rtl_paragraphs,
    strip_bidi_controls,
    to_paris,
)

UTC = dt.UTC
WINTER = dt.datetime(2025, 1, 14, 13, 20, tzinfo=UTC)  # 14:20 in Paris (UTC+1)
SUMMER = dt.datetime(2025, 7, 1, 7, 5, tzinfo=UTC)  # 09:05 in Paris (UTC+2)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "mardi 14 janvier à 14 h 20"),
        ("en", "Tuesday 14 January at 2:20 PM"),
        ("ar", "الثلاثاء 14 يناير الساعة 14:20"),
    ],
)
def test_format_when_reads_naturally_in_each_language(lang: str, expected: str) -> None:
    assert format_when(WINTER, lang) == expected


def test_format_when_follows_summer_time_and_writes_the_first_of_the_month() -> None:
    assert format_when(SUMMER, "fr") == "mardi 1er juillet à 9 h 05"
    assert format_when(SUMMER, "en") == "Tuesday 1 July at 9:05 AM"
    assert format_when(SUMMER, "ar") == "الثلاثاء 1 يوليو الساعة 9:05"


def test_naive_datetimes_are_taken_as_utc_like_the_database_stores_them() -> None:
    assert format_when(WINTER.replace(tzinfo=None), "fr") == format_when(WINTER, "fr")
    assert to_paris(WINTER.replace(tzinfo=None)).hour == 14


def test_a_late_utc_evening_is_the_next_day_in_paris() -> None:
    late = dt.datetime(2025, 3, 31, 22, 30, tzinfo=UTC)  # 00:30 on 1 April, Paris summer time
    assert format_date(late, "fr") == "mardi 1er avril 2025"
    assert format_time(late, "fr") == "0 h 30"


def test_unknown_language_falls_back_to_french() -> None:
    assert format_when(WINTER, "de") == format_when(WINTER, "fr")
    assert format_when(WINTER, None) == format_when(WINTER, "fr")


def test_dates_and_times() -> None:
    day = dt.date(2025, 1, 14)
    assert format_date(day, "fr") == "mardi 14 janvier 2025"
    assert format_date(day, "en", with_year=False) == "Tuesday 14 January"
    assert format_date(day, "ar") == "الثلاثاء 14 يناير 2025"
    assert format_time(dt.time(14, 5), "fr") == "14 h 05"
    assert format_time(dt.time(14, 5), "en") == "2:05 PM"
    assert format_time(dt.time(14, 5), "ar") == "14:05"


def test_numbers_use_plain_spaces_and_leave_years_whole() -> None:
    assert format_number(12345.5, "fr") == "12 345,5"
    assert format_number(12345.5, "en") == "12,345.5"
    assert format_number(Decimal("0.5"), "fr") == "0,5"
    assert format_number(2025, "fr") == "2025"
    # Western digits in Arabic (see bot/formatting.py for why).
    assert format_number(150000, "ar") == "150,000"


@given(
    st.datetimes(
        min_value=dt.datetime(2020, 1, 1),
        max_value=dt.datetime(2035, 12, 31),
        timezones=st.just(UTC),
    ),
    st.sampled_from(["fr", "en", "ar"]),
)
def test_every_moment_is_written_with_its_paris_day_and_no_gsm7_breaking_space(
    moment: dt.datetime, lang: str
) -> None:
    text = format_when(moment, lang)
    local = to_paris(moment)
    assert str(local.day) in text
    assert f"{local.minute:02d}" in text
    assert "\u202f" not in text and "\u00a0" not in text
    # Western digits only, whatever the language.
    assert not any(unicodedata.category(c) == "Nd" and not c.isascii() for c in text)


def test_isolation_only_touches_arabic() -> None:
    assert isolate_ltr("K7P2QX4M", "fr") == "K7P2QX4M"
    assert isolate_ltr("09 69 39 00 00", "en", "sms") == "09 69 39 00 00"
    assert isolate_ltr("K7P2QX4M", "ar") == f"{FSI}K7P2QX4M{PDI}"
    assert isolate_ltr("09 69 39 00 00", "ar", "sms") == f"{LRM}09 69 39 00 00{LRM}"


def test_isolation_is_only_spent_where_the_order_would_break() -> None:
    assert needs_isolation("09 69 39 00 00")
    assert needs_isolation("+33 6 12 34 56 78")
    assert needs_isolation("Grenoble")
    assert not needs_isolation("14:20")
    assert not needs_isolation("38")
    assert not needs_isolation("الثلاثاء 14 يناير")
    assert isolate_ltr("14:20", "ar") == "14:20"


def test_each_line_of_a_list_is_isolated_on_its_own() -> None:
    items = "- Passeport\n- 2 photos 35 x 45 mm"
    assert isolate_ltr(items, "ar") == f"{FSI}- Passeport{PDI}\n{FSI}- 2 photos 35 x 45 mm{PDI}"


def test_strip_bidi_controls() -> None:
    assert strip_bidi_controls(isolate_ltr("A1", "ar")) == "A1"
    assert strip_bidi_controls(isolate_ltr("A1", "ar", "sms")) == "A1"


def test_arabic_lines_opening_on_a_latin_run_keep_their_right_to_left_direction() -> None:
    sms_line = isolate_ltr("K7P2QX4M", "ar", "sms") + " هو رمز موعدك."
    assert rtl_paragraphs(sms_line, "ar") == RLM + sms_line
    # Isolates do not decide a paragraph's direction, Arabic after them does.
    chat_line = isolate_ltr("K7P2QX4M", "ar") + " هو رمز موعدك."
    assert rtl_paragraphs(chat_line, "ar") == chat_line
    assert rtl_paragraphs("1. حجز موعد\nGrenoble في", "ar") == f"1. حجز موعد\n{RLM}Grenoble في"
    # A line with no Arabic at all (a French document name in a list) stays left to right.
    assert rtl_paragraphs("- Passeport (original).", "ar") == "- Passeport (original)."
    assert rtl_paragraphs("Grenoble", "fr") == "Grenoble"
    assert strip_bidi_controls(rtl_paragraphs(sms_line, "ar")) == "K7P2QX4M هو رمز موعدك."
