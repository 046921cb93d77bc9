"""Whatever people type, date understanding answers None or a sane future range, never raises."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dates import parse_expiry, understand
from bot.timezone import PARIS

WORDS = [
    "demain",
    "mardi",
    "prochain",
    "le",
    "3",
    "mars",
    "2027",
    "9h",
    "matin",
    "soir",
    "dans",
    "semaine",
    "jours",
    "fin",
    "du",
    "au",
    "entre",
    "et",
    "avant",
    "je",
    "mar",
    "sept",
    "غدا",
    "بعد",
    "الثلاثاء",
    "القادم",
    "٣/٤",
    "ghda",
    "b3d",
    "next",
    "tuesday",
    "may",
    "at",
    "pm",
    "31/02",
    "29",
    "février",
    "il",
    "y",
    "a",
    "ago",
    "12/2025",
    "١٥",
    "ديسمبر",
    "pas",
    "d'ici",
]
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)

word_soup = st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)
anything = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
nows = st.integers(min_value=0, max_value=4 * 365 * 24).map(lambda h: NOW + timedelta(hours=h))


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(word_soup, anything), lang=st.sampled_from(["fr", "en", "ar"]), now=nows)
def test_understand_is_total_and_never_in_the_past(text: str, lang: str, now: datetime):
    got = understand(text, lang, now)
    if got is not None:
        assert now.date() <= got.start <= got.end
        assert (got.end - got.start).days <= 400


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(word_soup, anything), lang=st.sampled_from(["fr", "en", "ar"]))
def test_parse_expiry_is_total(text: str, lang: str):
    got = parse_expiry(text, lang, NOW)
    assert got is None or 1900 < got.year < 2200
