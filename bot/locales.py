"""The language registry: each language declared once, in `locales/<code>/language.yml`.

Everything the code knows about a language is read from its folder: its own name, script,
direction and SMS encoding, babel patterns, the profile that identifies it, the words a person
may send alone (bot.words) and its date words (bot.dates.lexicon). The translations sit beside
it (`LC_MESSAGES/guichet.po`). `locales/languages.yml` lists the declared languages, in menu
order: a folder that is not listed is a draft (its texts exist, nothing reads them), and
tests/i18n/test_languages.py says which parts it still lacks. README, "Add a language".

Pure core, lowest layer: reads YAML, imports nothing of the project.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGE_FILE = "language.yml"
DECLARATION_FILE = "languages.yml"
REVIEWS = ("source", "native", "machine")
SMS_ENCODINGS = ("gsm7", "ucs2")
_KEYS = {
    "code",
    "name",
    "english_name",
    "review",
    "rtl",
    "spaces",
    "sms_encoding",
    "formatting",
    "identification",
    "words",
    "dates",
}


class LanguageFileError(ValueError):
    """A language.yml that does not follow the schema (file and reason in the message)."""


@dataclass(frozen=True)
class Language:
    """One `language.yml`. Parts may be missing in a draft; a declared language has them all
    (the completeness test checks it)."""

    code: str
    name: str
    english_name: str
    review: str
    rtl: bool
    sms_encoding: str
    # False for a language written without spaces between words (Chinese): its own script's
    # letters are read one by one and its words matched as runs of letters (unspaced_scripts).
    spaces: bool = True
    formatting: Mapping[str, str] = field(default_factory=dict)
    # scripts (Unicode script names), letters (marking this language), samples (extra text)
    identification: Mapping[str, Any] = field(default_factory=dict)
    # Word value ("stop", "yes"…) → spellings, as people type them alone
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # the date words, schema in bot.dates.lexicon
    dates: Mapping[str, Any] = field(default_factory=dict)
    folder: Path = Path()


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise LanguageFileError(f"{path}: not valid YAML: {exc}") from exc


def read_language(folder: Path) -> Language:
    path = folder / LANGUAGE_FILE
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise LanguageFileError(f"{path}: expected a mapping")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise LanguageFileError(f"{path}: unknown key(s) {', '.join(unknown)}")
    for key in ("code", "name", "english_name", "review", "sms_encoding"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise LanguageFileError(f"{path}: {key!r} must be a non-empty string")
    if raw["code"] != folder.name:
        raise LanguageFileError(f"{path}: code {raw['code']!r} is not the folder's name")
    if raw["review"] not in REVIEWS:
        raise LanguageFileError(f"{path}: review must be one of {', '.join(REVIEWS)}")
    if raw["sms_encoding"] not in SMS_ENCODINGS:
        raise LanguageFileError(f"{path}: sms_encoding must be one of {', '.join(SMS_ENCODINGS)}")
    words = raw.get("words") or {}
    return Language(
        code=raw["code"],
        name=raw["name"],
        english_name=raw["english_name"],
        review=raw["review"],
        rtl=bool(raw.get("rtl", False)),
        spaces=bool(raw.get("spaces", True)),
        sms_encoding=raw["sms_encoding"],
        formatting=dict(raw.get("formatting") or {}),
        identification=dict(raw.get("identification") or {}),
        words={str(word): tuple(str(s) for s in spellings) for word, spellings in words.items()},
        dates=dict(raw.get("dates") or {}),
        folder=folder,
    )


def declared_codes(locales_dir: Path = LOCALES_DIR) -> tuple[str, ...]:
    raw = _read_yaml(locales_dir / DECLARATION_FILE) or {}
    return tuple(str(code) for code in raw.get("declared") or ())


def first_page_codes(locales_dir: Path = LOCALES_DIR) -> tuple[str, ...]:
    """The languages the menu's first page always offers (locales/languages.yml `first_page`)."""
    raw = _read_yaml(locales_dir / DECLARATION_FILE) or {}
    return tuple(str(code) for code in raw.get("first_page") or ())


def all_languages(locales_dir: Path = LOCALES_DIR) -> dict[str, Language]:
    """Every language folder, declared or draft, by code."""
    return {
        path.parent.name: read_language(path.parent)
        for path in sorted(locales_dir.glob(f"*/{LANGUAGE_FILE}"))
    }


def declared_languages(locales_dir: Path = LOCALES_DIR) -> tuple[Language, ...]:
    """The declared languages, in menu order (the source language first)."""
    found = all_languages(locales_dir)
    missing = [code for code in declared_codes(locales_dir) if code not in found]
    if missing:
        raise LanguageFileError(f"declared without a {LANGUAGE_FILE}: {', '.join(missing)}")
    return tuple(found[code] for code in declared_codes(locales_dir))


@cache
def languages() -> tuple[Language, ...]:
    """The shipped declared languages, read once per process."""
    return declared_languages()


def language(code: str) -> Language:
    for lang in languages():
        if lang.code == code:
            return lang
    raise KeyError(code)


@cache
def unspaced_scripts() -> frozenset[str]:
    """The scripts written without spaces: those of the declared languages with `spaces: false`
    that no spaced language uses (Chinese's CJK; not the Latin of its pinyin). Their letters are
    words of their own for the readers that split on spaces (bot.text.spaced_out)."""
    spaced = {str(s).upper() for lang in languages() if lang.spaces for s in _scripts(lang)}
    return (
        frozenset(str(s).upper() for lang in languages() if not lang.spaces for s in _scripts(lang))
        - spaced
    )


def _scripts(lang: Language) -> tuple[str, ...]:
    return tuple(lang.identification.get("scripts") or ())
