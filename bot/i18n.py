"""The single home of the assistant's sentences: gettext catalogues under locales/ (French source).

Code marks French source sentences with `N_(...)` (picked up by `pybabel extract`) and renders
them with `translate(msgid, lang, **params)`. A missing translation falls back to the French
source, visibly (a warning in the log, French on screen), rather than failing a conversation.

Catalogues are compiled to `.mo` at setup (`make i18n-compile`, run by `make test` and `make run`).
When a `.mo` is missing or older than its `.po` (a translator just edited it, or someone runs
pytest without make), the `.po` is read directly so nobody ever sees stale text.
"""

from __future__ import annotations

import io
import logging
import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import NamedTuple

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.locales import LOCALES_DIR, first_page_codes, languages

log = logging.getLogger(__name__)

DOMAIN = "guichet"
SOURCE_LANGUAGE = "fr"
# The declared languages (locales/languages.yml), in menu order.
SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(lang.code for lang in languages())
# Languages written right to left: their texts get bidi isolation around Latin runs.
RTL_LANGUAGES: frozenset[str] = frozenset(lang.code for lang in languages() if lang.rtl)
# Each language's name written in that language: shown as is in every conversation, so a
# person who cannot read the current language still recognises their own.
LANGUAGE_NAMES: dict[str, str] = {lang.code: lang.name for lang in languages()}
# Offered on the language menu's first page whatever the conversation's language.
FIRST_PAGE_LANGUAGES: tuple[str, ...] = tuple(
    code for code in first_page_codes() if code in SUPPORTED_LANGUAGES
)


def N_(message: str) -> str:
    """Marks a French source sentence for extraction without translating it yet."""
    return message


class Plural(NamedTuple):
    """A sentence that depends on a number: French singular and plural source forms."""

    singular: str
    plural: str


def NP_(singular: str, plural: str) -> Plural:
    """Marks a count-dependent sentence for extraction; render it with `translate_plural`.

    Arabic has six plural forms: the .po carries all of them, in the order of its Plural-Forms
    header (0; 1; 2; 3-10; 100-102; 11-99, each modulo 100 from 3-10 on).
    """
    return Plural(singular, plural)


def normalise_language(lang: str | None) -> str:
    """Maps 'en-GB', 'AR', None… to a supported language code (French when unknown)."""
    code = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in SUPPORTED_LANGUAGES else SOURCE_LANGUAGE


def is_rtl(lang: str | None) -> bool:
    return normalise_language(lang) in RTL_LANGUAGES


def po_path(lang: str, locales_dir: Path | None = None) -> Path:
    return (locales_dir or LOCALES_DIR) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str, locales_dir: Path | None = None) -> Path:
    return (locales_dir or LOCALES_DIR) / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _translations_from_po(po: Path) -> Translations:
    """Compiles a .po in memory, the way pybabel compile would (fuzzy entries left out)."""

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=po.parent.parent.name, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


@cache
def translations(lang: str) -> NullTranslations:
    lang = normalise_language(lang)
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    po, mo = po_path(lang), mo_path(lang)
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        return Translations.load(str(LOCALES_DIR), [lang], DOMAIN)
    if po.exists():
        log.warning("i18n: %s is missing or stale, reading %s (run `make i18n-compile`)", mo, po)
        return _translations_from_po(po)
    log.warning("i18n: no catalogue for %r under %s: French will be shown", lang, LOCALES_DIR)
    return NullTranslations()


def reload_translations() -> None:
    """Forgets the loaded catalogues (after a recompile, or in tests)."""
    translations.cache_clear()
    _sources.cache_clear()
    _warned.clear()


_warned: set[tuple[str, str]] = set()


def has_translation(msgid: str, lang: str | None) -> bool:
    lang = normalise_language(lang)
    if lang == SOURCE_LANGUAGE:
        return True
    catalog = getattr(translations(lang), "_catalog", {})
    return bool(catalog.get(msgid))


@cache
def _sources(lang: str) -> dict[str, str]:
    catalog = getattr(translations(lang), "_catalog", {})
    return {
        text: msgid
        for msgid, text in catalog.items()
        if isinstance(msgid, str) and msgid and isinstance(text, str) and text
    }


def source_of(text: str, lang: str | None) -> str | None:
    """The French sentence `text` translates (a whole sentence without parameters, as an
    action passes it already translated), or None: the French beside it on the mediator page."""
    lang = normalise_language(lang)
    if lang == SOURCE_LANGUAGE:
        return text
    return _sources(lang).get(text)


def is_passthrough(template: str) -> bool:
    """A template made of placeholders and punctuation only ("{question}"): nothing to translate."""
    try:
        literal = "".join(text for text, _, _, _ in string.Formatter().parse(template))
    except ValueError:  # a stray brace: a sentence to translate, safe_format will report it
        return False
    return not any(char.isalpha() for char in literal)


def gettext(msgid: str, lang: str | None) -> str:
    """The sentence in `lang`, or the French source with a warning (once per sentence)."""
    lang = normalise_language(lang)
    if lang == SOURCE_LANGUAGE or is_passthrough(msgid):
        return msgid
    if not has_translation(msgid, lang):
        if (lang, msgid) not in _warned:
            _warned.add((lang, msgid))
            log.warning("i18n: no %s translation for %r: showing French", lang, msgid[:60])
        return msgid
    return translations(lang).gettext(msgid)


def placeholders(text: str) -> set[str]:
    """The `{name}` fields of a str.format template (what translators must keep unchanged)."""
    return {
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(text)
        if field is not None
    }


class _Missing:
    """Stands for a parameter nobody gave: shows `[name]` instead of crashing the conversation."""

    __slots__ = ("_key",)

    def __init__(self, key: str) -> None:
        self._key = key

    def __format__(self, spec: str) -> str:
        return f"[{self._key}]"

    def __getattr__(self, attr: str) -> _Missing:
        return self

    def __getitem__(self, key: object) -> _Missing:
        return self


class _Params(dict[str, object]):
    def __init__(self, params: Mapping[str, object], template: str) -> None:
        super().__init__(params)
        self.template = template

    def __missing__(self, key: str) -> _Missing:
        log.warning("i18n: parameter {%s} missing for %r", key, self.template[:60])
        return _Missing(key)


def safe_format(text: str, params: Mapping[str, object]) -> str:
    """str.format that never raises: a missing `{name}` shows as `[name]` with a warning."""
    try:
        return string.Formatter().vformat(text, (), _Params(params, text))
    except (ValueError, IndexError, TypeError) as exc:
        # A broken template (stray brace, positional field) is a translator's typo: show it raw.
        log.error("i18n: cannot format %r: %s", text[:60], exc)
        return text


def translate_plural(forms: Plural, count: int, lang: str | None, **params: object) -> str:
    """The form of `forms` matching `count` in `lang`, with `{count}` and `params` filled in."""
    lang = normalise_language(lang)
    catalog = getattr(translations(lang), "_catalog", {})
    if lang != SOURCE_LANGUAGE and catalog.get((forms.singular, 0)):
        text = translations(lang).ngettext(forms.singular, forms.plural, count)
    else:
        if lang != SOURCE_LANGUAGE and (lang, forms.singular) not in _warned:
            _warned.add((lang, forms.singular))
            log.warning("i18n: no %s translation for %r: showing French", lang, forms.singular[:60])
        # French: 0 and 1 take the singular ("0 recherche", "1 recherche", "2 recherches").
        text = forms.singular if abs(count) < 2 else forms.plural
    return safe_format(text, {"count": count, **params})


def translate(msgid: str, lang: str | None, **params: object) -> str:
    """The sentence in `lang` (French when missing) with its `{placeholders}` filled in."""
    text = gettext(msgid, lang)
    return safe_format(text, params) if params or "{" in text else text
