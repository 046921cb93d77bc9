"""Every word a person may send alone that the assistant reads without Rasa, in every declared
language (the `words` of locales/<code>/language.yml), and the questions that reply words answer.

A word counts only when it is the whole message ("stop" stops, "stop my booking" goes to Rasa),
whatever the case, accents or trailing punctuation, and whatever courtesy comes with it ("oui
merci", "واخا، الله يخليك", "好的，谢谢": the `courtesy` of language.yml). Who acts on it is
decided in one place, bot.channels.turn, from the question last asked of the person.
"""

from __future__ import annotations

import enum
import re
import unicodedata

from bot.locales import languages, unspaced_scripts
from bot.text import ascii_digits, joined_up, spaced_out


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


# What separates the words of a reply: spaces and the punctuation of every script people use.
_SEPARATORS = re.compile(r"[\s.!?,;:()\-…،؛؟。！？，；：、（）]+")


def _tokens(said: str) -> tuple[str, ...]:
    # Chinese courtesy is glued to the word ("好的谢谢"): its letters count one by one.
    return tuple(t for t in _SEPARATORS.split(spaced_out(said, unspaced_scripts())) if t)


# Longest first: "MERCI BEAUCOUP" goes before "MERCI" leaves "BEAUCOUP" behind.
_COURTESY = sorted(
    {
        _tokens(normalise(s))
        for lang in languages()
        for s in lang.words.get("courtesy", ())
        if normalise(s)
    },
    key=len,
    reverse=True,
)


def _without_courtesy(said: str) -> str:
    """The reply once the thanks, please and blessings before or after it are set aside: a yes
    with a "God keep you" was read as no yes and the slot was asked again (session 25)."""
    tokens = _tokens(said)
    trimmed = True
    while tokens and trimmed:
        trimmed = False
        for phrase in _COURTESY:
            if tokens[-len(phrase) :] == phrase:
                tokens, trimmed = tokens[: -len(phrase)], True
            elif tokens[: len(phrase)] == phrase:
                tokens, trimmed = tokens[len(phrase) :], True
            if trimmed:
                break
    return joined_up(" ".join(tokens), unspaced_scripts())


_RANKS = {"first": 1, "second": 2, "third": 3}
_ORDINALS = {
    _tokens(normalise(s)): rank
    for lang in languages()
    for key, rank in _RANKS.items()
    for s in lang.words.get(key, ())
    if normalise(s)
}
# "je prends le premier svp", "الموعد الاول من فضلك": a short answer; in a longer sentence
# "premier" is more likely a first application than a rank.
_RANK_WORDS = 6


def rank_phrases(text: str) -> dict[str, int]:
    """The words of each rank a short reply names, with the rank ("pas le premier, le
    deuxième": premier 1, deuxieme 2; "c'est une première demande": premiere 1)."""
    tokens = _tokens(normalise(text))
    if len(tokens) > _RANK_WORDS:
        return {}
    return {
        " ".join(phrase): rank
        for phrase, rank in _ORDINALS.items()
        for i in range(len(tokens) - len(phrase) + 1)
        if tokens[i : i + len(phrase)] == phrase
    }


def ranks_named(text: str) -> set[int]:
    """The ranks a short reply names ("pas le premier, le deuxième": 1 and 2)."""
    return set(rank_phrases(text).values())


def rank_of(text: str) -> int | None:
    """The rank a short reply names ("le premier", "the second one", "التاني", "第一个"), or None
    (none, or two different ones)."""
    ranks = ranks_named(text)
    return ranks.pop() if len(ranks) == 1 else None


def word_of(text: str) -> Word | None:
    said = normalise(text)
    if said in _BY_SPELLING:
        return _BY_SPELLING[said]
    rest = _without_courtesy(said)
    return _BY_SPELLING.get(rest) if rest else None


def mentions(text: str, word: Word) -> bool:
    """Whether one of the text's words is `word` ("PREUVE de mes recherches pour …")."""
    return any(word_of(part) is word for part in text.split())


def menu_choice(text: str) -> int | None:
    """The number in a reply like "2", "2.", " 2 " or "٢" (1-based), or None."""
    word = normalise(text)
    if word.isascii() and word.isdigit() and len(word) <= 2 and int(word) > 0:
        return int(word)
    return None
