"""What a language still lacks: one function per part, each returning its problems (none = complete).

Used by tests/i18n/test_languages.py for every language folder: a declared language must have
no problem; a draft lists what it lacks (README, "Add a language").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.catalogue.loader import CATALOGUE_DIR, FILES
from bot.catalogue.texts import localized_texts, read_texts, text_at, text_paths
from bot.dates.lexicon import MONTHS, PARTS_OF_DAY, WEEKDAYS, entries
from bot.i18n import LOCALES_DIR, SOURCE_LANGUAGE, placeholders, po_path
from bot.locales import Language
from bot.text import ascii_digits
from bot.words import Word
from tests.nlu.training_files import INTENTS

ROOT = LOCALES_DIR.parent
POT = LOCALES_DIR / "guichet.pot"
NLU_DIR = ROOT / "data" / "nlu"
HELD_OUT_NLU_DIR = ROOT / "tests" / "nlu"
UNDERSTANDING_DIR = ROOT / "tests" / "understanding"
MIN_OPENINGS = 80
MIN_CONVERSATIONS = 5
# The date words every language needs (the others are welcome, not required).
REQUIRED_DAYS = ("today", "tomorrow", "after_tomorrow", "yesterday")
REQUIRED_RELATIONS = ("next", "this", "in", "at")
REQUIRED_UNITS = ("day", "week", "month")
REQUIRED_NUMBERS = range(1, 11)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None


def language_file(lang: Language) -> list[str]:
    problems = [] if lang.identification.get("scripts") else ["identification.scripts missing"]
    problems += [
        f"formatting.{key} missing"
        for key in ("when", "date", "time")
        if key not in lang.formatting
    ]
    return problems


def reply_words(lang: Language) -> list[str]:
    return [f"words.{word.value}: no spelling" for word in Word if not lang.words.get(word.value)]


def date_words(lang: Language) -> list[str]:
    tables = [lang.dates.get("shared") or {}, lang.dates.get("own") or {}]
    known = {(kind, repr(value)) for table in tables for kind, value, sp in entries(table) if sp}
    for reading in (lang.dates.get("ambiguous") or {}).values():  # [kind, value, kind, value]
        known |= {(reading[0], repr(reading[1])), (reading[2], repr(reading[3]))}
    wanted = (
        [("rel", repr(v), f"days.{n}") for n, v in zip(REQUIRED_DAYS, (0, 1, 2, -1), strict=True)]
        + [("weekday", repr(i), f"weekdays.{n}") for i, n in enumerate(WEEKDAYS)]
        + [("month", repr(i), f"months.{n}") for i, n in enumerate(MONTHS, start=1)]
        + [("part", repr(n), f"parts_of_day.{n}") for n in PARTS_OF_DAY]
        + [(n, "None", f"relations.{n}") for n in REQUIRED_RELATIONS]
        + [("unit", repr((u, None)), f"units.{u}") for u in REQUIRED_UNITS]
        + [("numword", repr(n), f"numbers.{n}") for n in REQUIRED_NUMBERS]
    )
    problems = [
        f"dates: {name} missing" for kind, value, name in wanted if (kind, value) not in known
    ]
    digits = str(lang.dates.get("digits") or "")
    if digits and ascii_digits(digits) != "0123456789":
        problems.append(f"dates.digits {digits!r} are not read by bot.text.DIGITS")
    if "connectors" not in lang.dates:
        problems.append("dates.connectors missing")
    return problems


def _catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def translations(lang: Language) -> list[str]:
    if lang.code == SOURCE_LANGUAGE:
        return []
    if not po_path(lang.code).is_file():
        return [f"{po_path(lang.code).relative_to(ROOT)} missing"]
    catalog = _catalog(po_path(lang.code), lang.code)
    problems = []
    for source in _catalog(POT):
        if not source.id:
            continue
        message = catalog.get(source.id)
        forms = (
            message.string
            if message and isinstance(message.string, tuple)
            else ((message.string,) if message else ())
        )
        if message is None or message.fuzzy or not forms or not all(forms):
            problems.append(f"untranslated: {str(source.id)[:50]!r}")
            continue
        expected = placeholders(source.id[-1] if isinstance(source.id, tuple) else source.id)
        for form in forms:
            found = placeholders(form)
            plural_ok = isinstance(source.id, tuple) and expected - {"count"} <= found <= expected
            if found != expected and not plural_ok:
                problems.append(
                    f"placeholders {sorted(found)} != {sorted(expected)}: {form[:40]!r}"
                )
    return problems


def catalogue_texts(lang: Language) -> list[str]:
    """Every {fr, …} text of data/catalogue, inline or in locales/<code>/catalogue.yml."""
    own = read_texts(lang.code)
    problems = []
    for name in FILES:
        stem = name.removesuffix(".yml")
        places = set()
        for path, mapping in localized_texts(_load(CATALOGUE_DIR / name)):
            places.add(path)
            if lang.code not in mapping and text_at(own.get(stem), path) is None:
                problems.append(f"catalogue {stem}.{'.'.join(map(str, path))} missing")
        # A text the catalogue has no place for is lost without a word: a misspelt key, or a
        # flow mapping cut at a comma (the Russian fee lost « при получении карты »).
        for path in text_paths(own.get(stem) or {}):
            if path not in places or text_at(own.get(stem), path) is None:
                problems.append(
                    f"{lang.code}/catalogue.yml {stem}.{'.'.join(map(str, path))}: no such text"
                )
    return problems


def nlu_data(lang: Language) -> list[str]:
    raw = _load(NLU_DIR / f"{lang.code}.yml")
    if raw is None:
        return [f"data/nlu/{lang.code}.yml missing"]
    covered = {block["intent"] for block in raw.get("nlu") or [] if "intent" in block}
    return [f"data/nlu/{lang.code}.yml: no example of {i}" for i in sorted(INTENTS - covered)]


def held_out(lang: Language) -> list[str]:
    problems = []
    if not (HELD_OUT_NLU_DIR / f"{lang.code}.yml").is_file():
        problems.append(f"tests/nlu/{lang.code}.yml missing (held-out NLU set)")
    openings = [
        item
        for path in sorted((UNDERSTANDING_DIR / "openings").glob("*.yml"))
        for item in (_load(path) or {}).get("openings") or []
        if item.get("lang") == lang.code
    ]
    conversations = [
        item
        for path in sorted((UNDERSTANDING_DIR / "conversations").glob("*.yml"))
        for item in (_load(path) or {}).get("conversations") or []
        if item.get("lang") == lang.code
    ]
    if len(openings) < MIN_OPENINGS:
        problems.append(f"held-out openings: {len(openings)} < {MIN_OPENINGS}")
    if len(conversations) < MIN_CONVERSATIONS:
        problems.append(f"held-out conversations: {len(conversations)} < {MIN_CONVERSATIONS}")
    return problems


PARTS: dict[str, Callable[[Language], list[str]]] = {
    "language file": language_file,
    "reply words": reply_words,
    "date words": date_words,
    "translations": translations,
    "catalogue texts": catalogue_texts,
    "NLU data": nlu_data,
    "held-out corpus": held_out,
}


def missing_parts(lang: Language) -> dict[str, list[str]]:
    """Part → its problems, for the parts that have any."""
    return {part: problems for part, check in PARTS.items() if (problems := check(lang))}
