"""The language to answer a message in, decided by the gateway before the conversation reads it.

A phone sends no language: the first message that carries one sets it, and a person who writes
a sentence in another language is followed — unless they chose one (the language menu, /langue,
"in English please"): a choice sticks until they choose again. A message with no language
(numbers, codes, keywords, emoji) keeps the conversation's. Telegram's `language_code` only
tips the scales of a first message (bot.language's prior). Pure: no database, no network.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from bot.i18n import SUPPORTED_LANGUAGES, normalise_language
from bot.language import LanguageGuess, identify
from bot.understanding import without_places
from bot.words import word_of

# A switch needs a sentence the identifier is sure of: one word ("merci", "ok") or a mixed
# message must not flip the language of someone in the middle of a booking.
SWITCH_WORDS = 2
SWITCH_CONFIDENCE = 0.9
# A message this short may be only a place ("Seine-Saint-Denis, Bobigny"); a longer one is a
# sentence, whatever places it names.
_PLACE_WORDS = 6
_LANGUAGE_IN_PAYLOAD = re.compile(r'"language"\s*:\s*"([a-zA-Z-]+)"')


class LanguageSource(enum.StrEnum):
    """Where a contact's language comes from (None: nothing has been answered yet)."""

    DEFAULT = "default"  # the service's default or Telegram's hint: no message said it yet
    GUESSED = "guessed"  # read from the person's own words
    CHOSEN = "chosen"  # chosen by the person: only another choice changes it


@dataclass(frozen=True)
class LanguageDecision:
    language: str
    source: LanguageSource


def language_in_payload(payload: str) -> str | None:
    """The language a payload like `/choose_language{"language":"ar"}` switches to."""
    match = _LANGUAGE_IN_PAYLOAD.search(payload)
    return normalise_language(match.group(1)) if match else None


def decide(
    text: str, current: str, source: str | None, hint: str | None = None
) -> LanguageDecision:
    """The language of the answer to `text`, for a contact who speaks `current` (from `source`)."""
    chosen = language_in_payload(text) if text.startswith("/") else None
    if chosen is not None:
        return LanguageDecision(chosen, LanguageSource.CHOSEN)
    kept = LanguageDecision(current, LanguageSource(source or LanguageSource.DEFAULT))
    # A reply word in any language (PREUVE, proof, إثبات, SUITE…) is a keyword, not a sentence.
    if kept.source is LanguageSource.CHOSEN or text.startswith("/") or word_of(text) is not None:
        return kept
    settled = kept.source is LanguageSource.GUESSED
    # Before any message said it, the stored language is a default, not evidence: only
    # Telegram's hint may tip the balance.
    guess = identify(text, prior=current if settled else hint)
    if guess.lang is None or guess.lang not in SUPPORTED_LANGUAGES:
        return kept
    if not settled or (
        _switches(guess, current)
        and (len(text.split()) > _PLACE_WORDS or _switches(_without_places(text, current), current))
    ):
        return LanguageDecision(guess.lang, LanguageSource.GUESSED)
    return kept


def _switches(guess: LanguageGuess, current: str) -> bool:
    return (
        guess.lang is not None
        and guess.lang != current
        and guess.words >= SWITCH_WORDS
        and guess.confidence >= SWITCH_CONFIDENCE
    )


def _without_places(text: str, current: str) -> LanguageGuess:
    """The guess on the message's words that are not place names: « سین سن دنی، بوبینی » (a
    town, in a Pashto conversation) read as Persian and the next question came in Persian
    (session 26, a dev conversation played by SMS)."""
    return identify(without_places(text, current), prior=current)
