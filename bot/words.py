"""Every word a person may send alone that the assistant reads without Rasa, in every declared
language (the `words` of locales/<code>/language.yml), and the questions that reply words answer.

A word counts only when it is the whole message ("stop" stops, "stop my booking" goes to Rasa),
whatever the case, accents or trailing punctuation. Who acts on it is decided in one place,
bot.channels.turn, from the question last asked of the person.
"""

from __future__ import annotations

import enum
import unicodedata

from bot.locales import languages
from bot.text import ascii_digits


class Word(enum.Enum):
    # Read by the gateway itself, whatever was asked.
    STOP = "stop"
    START = "start"
    HELP = "help"
    MORE = "more"
    MENU = "menu"
    # Replies to a question: to the one last asked of the person.
    YES = "yes"
    NO = "no"
    CANCEL = "cancel"
    DOCS = "docs"
    PROOF = "proof"  # the dated searches that found no slot: asked at any time
    # Ends every consent given to a PAN mediator (bot.pan.consent): accepted at any time.
    REVOKE = "revoke"


# Understood whatever the language: carriers and regulators make STOP the opt-out word in Latin
# letters everywhere, and 0 opens the menu on every keypad.
LANGUAGE_FREE: dict[Word, frozenset[str]] = {
    Word.STOP: frozenset({"STOP"}),
    Word.MENU: frozenset({"0"}),
}


def _spellings(word: Word) -> frozenset[str]:
    # A word is read alone, without knowing the language: every declared language's spellings.
    declared = (normalise(s) for lang in languages() for s in lang.words.get(word.value, ()))
    return LANGUAGE_FREE.get(word, frozenset()) | frozenset(declared)


class Question(str, enum.Enum):
    """What was last asked of a person (stored on their contact), and so who their reply word
    is for."""

    OFFER = "offer"  # a waitlist offer or its reminder: OUI / NON
    REMINDER = "reminder"  # an appointment reminder: ANNULER / DOCS
    ASSISTANT = "assistant"  # Rasa's last answer; its `awaiting` slot says which question


# Full-width marks too: a Chinese keyboard ends "撤回" with "。" (U+3002) or "！" (U+FF01).
_TRAILING = " \t\r\n.!?,;:)-。！？，；：）、"


def normalise(text: str) -> str:
    """Upper case, Latin accents removed, digits made ASCII, surrounding punctuation dropped."""
    text = ascii_digits(text).strip().strip("\u200f\u200e").rstrip(_TRAILING).strip()
    decomposed = unicodedata.normalize("NFKD", text)
    latin_plain = "".join(
        c for c in decomposed if not (unicodedata.combining(c) and ord(c) < 0x0600)
    )
    return unicodedata.normalize("NFC", latin_plain).upper()


WORDS: dict[Word, frozenset[str]] = {word: _spellings(word) for word in Word}
REPLY_WORDS = frozenset({Word.YES, Word.NO, Word.CANCEL, Word.DOCS, Word.PROOF, Word.REVOKE})
# Reply words that answer no question: they act whatever was asked last.
ANYTIME_WORDS = frozenset({Word.PROOF, Word.REVOKE})
_BY_SPELLING = {spelling: word for word, spellings in WORDS.items() for spelling in spellings}


def word_of(text: str) -> Word | None:
    return _BY_SPELLING.get(normalise(text))


def mentions(text: str, word: Word) -> bool:
    """Whether one of the text's words is `word` ("PREUVE de mes recherches pour …")."""
    return any(word_of(part) is word for part in text.split())


def menu_choice(text: str) -> int | None:
    """The number in a reply like "2", "2.", " 2 " or "٢" (1-based), or None."""
    word = normalise(text)
    if word.isascii() and word.isdigit() and len(word) <= 2 and int(word) > 0:
        return int(word)
    return None
