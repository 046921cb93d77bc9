"""Words that the gateway acts on itself, in every supported language.

A keyword counts only when it is the whole message ("stop" stops, "stop my booking" goes to
Rasa), whatever the case, accents or trailing punctuation.
"""

from __future__ import annotations

import enum
import unicodedata

from bot.text import ascii_digits


class Keyword(enum.Enum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    MORE = "more"
    MENU = "menu"


_WORDS: dict[Keyword, frozenset[str]] = {
    Keyword.STOP: frozenset(
        {"STOP", "ARRET", "ARRETER", "STOPALL", "UNSUBSCRIBE", "توقف", "ايقاف", "إيقاف"}
    ),
    Keyword.START: frozenset({"START", "UNSTOP", "ابدأ", "ابدا"}),
    Keyword.HELP: frozenset({"AIDE", "HELP", "مساعدة"}),
    Keyword.MORE: frozenset({"SUITE", "MORE", "التالي"}),
    Keyword.MENU: frozenset({"MENU", "0", "القائمة"}),
}

_TRAILING = " \t\r\n.!?,;:)-"


def normalise(text: str) -> str:
    """Upper case, Latin accents removed, digits made ASCII, surrounding punctuation dropped."""
    text = ascii_digits(text).strip().strip("\u200f\u200e").rstrip(_TRAILING).strip()
    decomposed = unicodedata.normalize("NFKD", text)
    latin_plain = "".join(
        c for c in decomposed if not (unicodedata.combining(c) and ord(c) < 0x0600)
    )
    return unicodedata.normalize("NFC", latin_plain).upper()


def keyword_of(text: str) -> Keyword | None:
    word = normalise(text)
    for keyword, words in _WORDS.items():
        if word in words:
            return keyword
    return None


def menu_choice(text: str) -> int | None:
    """The number in a reply like "2", "2.", " 2 " or "٢" (1-based), or None."""
    word = normalise(text)
    if word.isascii() and word.isdigit() and len(word) <= 2 and int(word) > 0:
        return int(word)
    return None
