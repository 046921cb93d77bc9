"""Weekly hours written in the reader's language, for catalogue sentences.

Dates and clock times come from bot.formatting (the project's one way to write them: GSM-7
safe spaces, 24 h in French and Arabic, "1er" in French); this module only groups weekdays.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from babel.dates import get_day_names

from bot.catalogue.models import Hours
from bot.formatting import format_date, format_time
from bot.i18n import normalise_language


def format_day(day: date, lang: str | None) -> str:
    """ "lundi 31 mars 2025" / "Monday 31 March 2025" / "الاثنين 31 مارس 2025"."""
    return format_date(day, lang)


def format_hours(hours: Iterable[Hours], lang: str | None) -> str:
    """Days sharing a span grouped: "lundi, mardi 9 h 00–11 h 00 ; jeudi 14 h 00–16 h 00"."""
    locale = normalise_language(lang)
    names = get_day_names("wide", locale=locale)
    spans: dict[tuple[str, str], list[int]] = {}
    for h in sorted(hours, key=lambda h: (h.weekday, h.start)):
        span = (format_time(h.start, locale), format_time(h.end, locale))
        spans.setdefault(span, []).append(h.weekday)
    separator = "، " if locale == "ar" else ", "
    between = " ; " if locale == "fr" else "; "
    return between.join(
        f"{separator.join(names[d] for d in days)} {start}–{end}"
        for (start, end), days in spans.items()
    )
