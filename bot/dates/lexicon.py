"""The words of dates, per language, read from each language's `dates` in locales/<code>/language.yml.

Entries are (kind, value, spellings). People mix languages ("rdv lundi f sbah"), so the `shared`
words of every declared language are read in every message; a language's `own` words are
abbreviations that collide with ordinary words of another language ("mon", "we", "am", "had"…)
and are only read in the language they belong to. Schema of `dates`: locales/README.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from bot.locales import Language, languages
from bot.text import fold

Entry = tuple[str, object, tuple[str, ...]]

_DAYS = {"today": 0, "tomorrow": 1, "after_tomorrow": 2, "yesterday": -1, "before_yesterday": -2}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
PARTS_OF_DAY = ("morning", "afternoon", "evening")
# The key in `relations` → the reader's kind (the reader's names are short, the file's plain).
RELATIONS = {
    "next": "next", "this": "this", "last": "last", "end": "end", "start": "start", "mid": "mid",
    "weekend": "weekend", "in_eight": "enhuit", "in": "in", "ago": "ago", "at": "at",
    "now": "now", "asap": "asap",
}  # fmt: skip
UNITS = ("day", "week", "month", "year", "hour")
# Counters a language writes glued after a number (Chinese 3月, 15号, 3点, 3点半, 3点15分): the
# number becomes a year, a month, a day of the month or a time (bot.dates.tokens).
COUNTERS = ("year", "month", "day", "hour", "half_hour", "minute")
CONNECTORS = (
    "fillers", "range_from", "range_to", "before", "until", "within", "negations", "past_markers",
    "since", "remaining", "unavailable",
)  # fmt: skip


def _spellings(value: Any) -> tuple[str, ...]:
    return tuple(str(s) for s in value or ())


def entries(table: Mapping[str, Any]) -> Iterator[Entry]:
    """The (kind, value, spellings) of a `shared` or `own` table of a language.yml."""
    for name, day in _DAYS.items():
        yield "rel", day, _spellings(table.get("days", {}).get(name))
    yield "tonight", 0, _spellings(table.get("tonight"))
    for index, name in enumerate(WEEKDAYS):
        yield "weekday", index, _spellings(table.get("weekdays", {}).get(name))
        yield "weekday?", index, _spellings(table.get("weekdays_near_a_date", {}).get(name))
    for index, name in enumerate(MONTHS, start=1):
        yield "month", index, _spellings(table.get("months", {}).get(name))
    for name in PARTS_OF_DAY:
        yield "part", name, _spellings(table.get("parts_of_day", {}).get(name))
    yield "time", (12, 0), _spellings(table.get("noon"))
    for name, kind in RELATIONS.items():
        yield kind, None, _spellings(table.get("relations", {}).get(name))
    for unit in UNITS:
        yield "unit", (unit, None), _spellings(table.get("units", {}).get(unit))
        yield "unit", (unit, 2), _spellings(table.get("two_units", {}).get(unit))
    for number, spellings in (table.get("numbers") or {}).items():
        yield "numword", int(number), _spellings(spellings)
    for name in ("am", "pm"):
        yield "ampm", name, _spellings(table.get("ampm", {}).get(name))


def _ambiguous(lang: Language) -> dict[str, tuple[str, object, tuple[str, object]]]:
    # spelling: [kind, value, other kind, other value]
    return {
        str(word): (kind, value, (other_kind, other_value))
        for word, (kind, value, other_kind, other_value) in (
            lang.dates.get("ambiguous") or {}
        ).items()
    }


COMMON: list[Entry] = [
    entry for lang in languages() for entry in entries(lang.dates.get("shared") or {}) if entry[2]
]
BY_LANGUAGE: dict[str, list[Entry]] = {
    lang.code: [entry for entry in entries(lang.dates.get("own") or {}) if entry[2]]
    for lang in languages()
}


def _solar_months(lang: Language) -> dict[str, int]:
    # `solar_months`: month number (1 = Farvardin / Hamal) → spellings (bot.dates.solar).
    return {
        str(spelling): int(month)
        for month, spellings in (lang.dates.get("solar_months") or {}).items()
        for spelling in _spellings(spellings)
    }


# The Solar Hijri month names of a language (Dari « حوت », Iranian « اسفند », Pashto « کب »):
# ordinary words too (« اسد » a name, « میزان » an amount, « دی » Pashto's "is"), so a month only
# after a day number, after the word for month (« ماه حوت ») or before a solar year.
SOLAR_MONTHS: dict[str, dict[str, int]] = {lang.code: _solar_months(lang) for lang in languages()}


# Ambiguous words and their two readings (kind, value, (other kind, other value)): read as a
# month only right next to a day number.
AMBIGUOUS: dict[str, dict[str, tuple[str, object, tuple[str, object]]]] = {
    lang.code: _ambiguous(lang) for lang in languages()
}


# Counter → its spellings in every declared language (the `after_number` of a `shared` table).
AFTER_NUMBER: dict[str, tuple[str, ...]] = {
    counter: tuple(
        s
        for lang in languages()
        for s in _spellings(
            ((lang.dates.get("shared") or {}).get("after_number") or {}).get(counter)
        )
    )
    for counter in COUNTERS
}


# Counter → the words that name a month by the number after them, in every declared language
# (the `before_number` of a `shared` table: Darija "شهر 4" is April).
BEFORE_NUMBER: dict[str, frozenset[str]] = {
    counter: frozenset(
        fold(s)
        for lang in languages()
        for s in _spellings(
            ((lang.dates.get("shared") or {}).get("before_number") or {}).get(counter)
        )
    )
    for counter in ("month",)
}


def _folded(words: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(word) for word in words)


def _connector(name: str) -> list[str]:
    return [s for lang in languages() for s in _spellings(lang.dates["connectors"].get(name))]


# Ordinary words one edit away from a date word: never corrected towards it.
NEVER_CORRECTED = frozenset(
    s for lang in languages() for s in _spellings(lang.dates.get("never_corrected"))
)
FILLERS = _folded(_connector("fillers"))
RANGE_FROM = _folded(_connector("range_from"))
RANGE_TO = _folded(_connector("range_to"))
BEFORE = _folded(_connector("before"))
UNTIL = _folded(_connector("until"))
WITHIN = _folded(_connector("within"))
NEGATIONS = _folded(_connector("negations"))
# Before a length of time: "périmée depuis 2 semaines" (ago, when the title has lapsed), "il me
# reste deux semaines" / "two weeks left" (from today, when it is an expiry that is said).
SINCE = _folded(_connector("since"))
REMAINING = _folded(_connector("remaining"))
# In a clause with a day, words that set that day aside: "lundi je travaille", "Monday I'm busy".
UNAVAILABLE = frozenset(
    tuple(fold(word) for word in marker.split()) for marker in _connector("unavailable")
)
PAST_MARKERS = frozenset(
    tuple(fold(word) for word in marker.split()) for marker in _connector("past_markers")
)
