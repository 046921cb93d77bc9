"""Which language a message is written in (pure core: no web, no database).

`identify(text, prior=...)` gives a `LanguageGuess`; its `lang` is None for a message that carries
no language. Languages are data: the `identification` of locales/<code>/language.yml plus the NLU
file `data/nlu/<code>.yml`.
Why this design and its figures: docs/decisions/0007-language-identification.md.
"""

from __future__ import annotations

from functools import cache

from bot.language.identify import NO_LANGUAGE, LanguageGuess, LanguageIdentifier

__all__ = ["NO_LANGUAGE", "LanguageGuess", "LanguageIdentifier", "identify", "identifier"]


@cache
def identifier() -> LanguageIdentifier:
    """The identifier over the shipped languages, trained once per process."""
    return LanguageIdentifier.from_files()


def identify(text: str, *, prior: str | None = None) -> LanguageGuess:
    """The language of `text`; `prior` (Telegram's language_code, the conversation's language)
    settles what the text leaves open and never outweighs a sentence."""
    return identifier().identify(text, prior=prior)
