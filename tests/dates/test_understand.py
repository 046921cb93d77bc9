"""The table in tests/dates/table.py is the specification of date understanding."""

from __future__ import annotations

import statistics
import time as clock
from datetime import date, datetime, time

import pytest

from bot.dates import DateRequest, parse_expiry, tokenise, understand, warm_up
from bot.i18n import SUPPORTED_LANGUAGES
from tests.dates.table import CASES, EXPIRY, MON, NO_DATE, Case


def _range(expect: str) -> tuple[date, date]:
    first, _, last = expect.partition("..")
    return date.fromisoformat(first), date.fromisoformat(last or first)


def _case_id(case: Case) -> str:
    return f"{case.lang}:{case.now:%Y-%m-%d}:{case.text}"


def test_table_is_large_enough_and_covers_every_language():
    assert len(CASES) >= 80
    # Every declared language has cases; a new one adds its own (README, "Add a language").
    assert {case.lang for case in CASES} == set(SUPPORTED_LANGUAGES)
    assert len({(case.lang, case.now, case.text) for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_understands(case: Case):
    got = understand(case.text, case.lang, case.now)
    assert got is not None, f"{case.text!r} was not understood"
    start, end = _range(case.expect)
    expected_time = time.fromisoformat(case.at) if case.at else None
    assert (got.start, got.end, got.part_of_day, got.time) == (start, end, case.part, expected_time)
    assert got.text, "the matched words are reported"


@pytest.mark.parametrize(("lang", "text"), NO_DATE)
def test_nonsense_is_not_a_date(lang: str, text: str):
    assert understand(text, lang, MON) is None


@pytest.mark.parametrize("case", EXPIRY, ids=lambda c: f"{c.lang}:{c.text}")
def test_parse_expiry(case):
    expected = date.fromisoformat(case.expect) if case.expect else None
    assert parse_expiry(case.text, case.lang, case.now) == expected


def test_je_is_never_jeudi_in_any_language():
    for lang in ("fr", "en", "ar"):
        assert all(tok.kind != "weekday" for tok in tokenise("je je je", lang))
        got = understand("je viendrai mardi", lang, MON)
        assert got is not None and got.start == date(2026, 11, 24)


def test_a_bare_weekday_is_never_today():
    monday = datetime(2026, 11, 23, 8, 0)
    for offset in range(7):
        now = datetime(2026, 11, 23 + offset, 8, 0)
        for name in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"):
            got = understand(name, "fr", now)
            assert got is not None
            assert 1 <= (got.start - now.date()).days <= 7
    assert understand("lundi", "fr", monday).start == date(2026, 11, 30)  # type: ignore[union-attr]


def test_naive_now_is_read_as_paris_time():
    naive = understand("demain", "fr", datetime(2026, 12, 31, 23, 30))
    assert naive is not None and naive.start == date(2027, 1, 1)


def test_future_requests_never_start_before_today():
    for case in CASES:
        got = understand(case.text, case.lang, case.now)
        assert isinstance(got, DateRequest)
        local_today = case.now.astimezone(MON.tzinfo).date()
        assert local_today <= got.start <= got.end


def test_parse_cost_after_warm_up_is_about_a_millisecond():
    warm_up()
    for case in CASES:
        understand(case.text, case.lang, case.now)
    costs = []
    for case in CASES:
        started = clock.perf_counter()
        understand(case.text, case.lang, case.now)
        costs.append(clock.perf_counter() - started)
    # Measured ~0.2 ms; the bound leaves room for a busy shared machine.
    assert statistics.median(costs) < 0.005


def test_language_tags_are_normalised():
    got = understand("tue 2pm", "en-GB", MON)
    assert got is not None and got.start == date(2026, 11, 24) and got.time == time(14, 0)
    assert understand("mar 14h", "FR", MON) == understand("mar 14h", "fr", MON)
