"""The single home of the assistant's sentences: gettext catalogues under locales/ (French source).

Code marks French source sentences with `N_(...)` (picked up by `pybabel extract`) and renders
them with `translate(msgid, lang, **params)`. A missing translation falls back to the French
source, visibly, rather than failing a conversation.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "guichet"
SOURCE_LANGUAGE = "fr"
SUPPORTED_LANGUAGES: tuple[str, ...] = ("fr", "en", "ar")


def N_(message: str) -> str:
    """Marks a French source sentence for extraction without translating it yet."""
    return message


def normalise_language(lang: str | None) -> str:
    """Maps 'en-GB', 'AR', None… to a supported language code (French when unknown)."""
    code = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in SUPPORTED_LANGUAGES else SOURCE_LANGUAGE


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    lang = normalise_language(lang)
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(LOCALES_DIR), [lang], DOMAIN)


def translate(msgid: str, lang: str | None, **params: object) -> str:
    text = translations(normalise_language(lang)).gettext(msgid)
    return text.format(**params) if params else text
