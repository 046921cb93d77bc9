"""Dates, times and numbers written the way each language writes them (babel), for SMS and chat.

All datetimes are stored in UTC and shown in Europe/Paris, the préfectures' time.

Choices, and why:
- Arabic uses Western digits (0-9), babel 2.18's default for `ar`: they match the digits on the
  convocation, the préfecture's letters and the phone keypad; Maghreb readers (most Arabic
  speakers at French counters) use them daily; and basic phones render them everywhere.
- Times are 24-hour in French and Arabic ("14 h 20", "14:20"), 12-hour in English ("2:20 PM").
- babel puts narrow no-break spaces (U+202F) in French numbers and English times. They are not in
  the GSM-7 alphabet: one of them turns a whole SMS into UCS-2 (70 instead of 160 characters per
  segment). We write plain spaces instead.
- Arabic text embedding Latin runs (a convocation code, a phone number) must keep those runs in
  reading order: see `isolate_ltr`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Literal

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_decimal

from bot.i18n import is_rtl, normalise_language
from bot.locales import languages
from bot.timezone import PARIS

# babel patterns per language (`formatting` of locales/<code>/language.yml); quoted parts are
# literal words of the sentence.
_WHEN_PATTERNS: dict[str, str] = {lang.code: lang.formatting["when"] for lang in languages()}
_DATE_PATTERNS: dict[str, str] = {lang.code: lang.formatting["date"] for lang in languages()}
_TIME_PATTERNS: dict[str, str] = {lang.code: lang.formatting["time"] for lang in languages()}

_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})

# Unicode bidi controls. FSI…PDI (first-strong isolate, Unicode 6.3) is the modern answer; LRM
# (left-to-right mark, Unicode 1.1) is understood by old feature phones that show isolates as
# boxes. Both cost the same on SMS: 2 UCS-2 characters per isolated run (Arabic SMS are UCS-2
# anyway, so no encoding change).
FSI, PDI, LRM, RLM = "\u2068", "\u2069", "\u200e", "\u200f"
Channel = Literal["sms", "chat"]


def to_paris(moment: dt.datetime) -> dt.datetime:
    """A stored UTC datetime (naive means UTC, as SQLite returns it) in Paris time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(PARIS)


def _fr_first(pattern: str, day: int, lang: str) -> str:
    # French writes the first day of a month as an ordinal: "mardi 1er juillet".
    if lang == "fr" and day == 1:
        return pattern.replace("d MMMM", "d'er' MMMM", 1)
    return pattern


def format_when(moment: dt.datetime, lang: str | None) -> str:
    """'mardi 14 janvier à 14 h 20' / 'Tuesday 14 January at 2:20 PM' / 'الثلاثاء 14 يناير الساعة 14:20'."""
    lang = normalise_language(lang)
    local = to_paris(moment)
    pattern = _fr_first(_WHEN_PATTERNS[lang], local.day, lang)
    return babel_format_datetime(local, pattern, tzinfo=PARIS, locale=lang).translate(_SPACES)


def format_date(day: dt.date | dt.datetime, lang: str | None, *, with_year: bool = True) -> str:
    """'mardi 14 janvier 2025' (a datetime is first taken to Paris time)."""
    lang = normalise_language(lang)
    if isinstance(day, dt.datetime):
        day = to_paris(day).date()
    pattern = _DATE_PATTERNS[lang] if with_year else _DATE_PATTERNS[lang].removesuffix(" y")
    pattern = _fr_first(pattern, day.day, lang)
    return babel_format_date(day, pattern, locale=lang).translate(_SPACES)


def format_time(moment: dt.datetime | dt.time, lang: str | None) -> str:
    """'14 h 20' / '2:20 PM' / '14:20' (a datetime is first taken to Paris time)."""
    lang = normalise_language(lang)
    if isinstance(moment, dt.datetime):
        moment = to_paris(moment)
        return babel_format_datetime(
            moment, _TIME_PATTERNS[lang], tzinfo=PARIS, locale=lang
        ).translate(_SPACES)
    stamp = dt.datetime.combine(dt.date(2000, 1, 3), moment)
    return babel_format_datetime(stamp, _TIME_PATTERNS[lang], locale=lang).translate(_SPACES)


def format_number(value: int | float | Decimal, lang: str | None) -> str:
    """'12 345,5' / '12,345.5' / '12,345.5' (plain spaces, see the module note).

    Numbers below 10 000 are not grouped ("2025", not "2 025"): a year or a count reads better
    whole, and that is CLDR's "minimum grouping digits" convention.
    """
    grouped = abs(value) >= 10_000
    return format_decimal(
        value, locale=normalise_language(lang), group_separator=grouped
    ).translate(_SPACES)


_RTL_BIDI = {"R", "AL"}
# Two digit groups separated by neutrals ("09 69 39 00 00", "+33 6…"): an RTL paragraph
# would show the groups in reverse order.
_SEPARATED_DIGITS = re.compile(r"\d[\s+\-/.()]+\d")


def needs_isolation(text: str) -> bool:
    """True when `text`, dropped into Arabic, would be reordered: Latin letters or split digits."""
    if _has_rtl(text):
        return False
    return any(unicodedata.bidirectional(ch) == "L" for ch in text) or bool(
        _SEPARATED_DIGITS.search(text)
    )


def isolate_ltr(text: str, lang: str | None, channel: Channel = "chat") -> str:
    """Keeps a left-to-right run (code, phone number, URL) readable inside Arabic text.

    Only Arabic is touched: a bidi control in a French or English SMS would force the
    whole message to UCS-2. On SMS we use LRM marks, understood by old phones; elsewhere
    the FSI…PDI isolate, which also protects the punctuation around the run.
    """
    if not is_rtl(lang) or not needs_isolation(text):
        return text
    if "\n" in text:
        # Paragraph ends close isolates: each line of a list is isolated on its own.
        return "\n".join(isolate_ltr(line, lang, channel) for line in text.split("\n"))
    if channel == "sms":
        return f"{LRM}{text}{LRM}"
    return f"{FSI}{text}{PDI}"


def _first_strong(line: str) -> str | None:
    depth = 0
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind in ("FSI", "LRI", "RLI"):
            depth += 1  # an isolate does not decide the paragraph's direction
        elif kind == "PDI":
            depth = max(0, depth - 1)
        elif depth == 0 and kind in ("L", "R", "AL"):
            return kind
    return None


def rtl_paragraphs(text: str, lang: str | None) -> str:
    """Starts each Arabic line that opens on a Latin run (a code, a name) with RLM.

    Phones pick a paragraph's direction from its first strong letter: a line opening on
    "K7P2QX4M" would be laid out left to right and its Arabic words and punctuation scrambled.
    One RLM (U+200F, Unicode 1.1) is spent only on such lines; a line without any Arabic (a
    French document name in a list) stays left to right, as it reads best.
    """
    if not is_rtl(lang):
        return text
    return "\n".join(
        f"{RLM}{line}" if _first_strong(line) == "L" and _has_rtl(line) else line
        for line in text.split("\n")
    )


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in _RTL_BIDI for char in text)


def strip_bidi_controls(text: str) -> str:
    """The text without our bidi controls (to compare, count, or send where they would show)."""
    for control in (FSI, PDI, LRM, RLM):
        text = text.replace(control, "")
    return text
