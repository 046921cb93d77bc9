"""A message cut into the words that carry a language, each with its script.

What carries no language is dropped here: numbers, dates, times, convocation codes, phone numbers,
emoji, punctuation, links. The scripts are Unicode's (the first word of a letter's name), so a new
script needs no code.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

# Scripts written without spaces: a run of n characters counts as about n/2 words.
_UNSPACED_SCRIPTS = frozenset({"CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR"})

LATIN = "LATIN"
MIN_WORDS_OF_ANOTHER_SCRIPT = 2
MIN_SHARE_OF_ANOTHER_SCRIPT = 1 / 3

_LINK = re.compile(r"\S+@\S+|https?://\S+|www\.\S+", re.IGNORECASE)
# Convocation codes (ABCD-EFGH, RDV-48K2P) and other capitals-and-digits references.
# Typed in lower case too: the code alphabet has no I, L, O, so "demi-tour" is no code.
_CODE = re.compile(
    r"\b(?=[A-Z0-9-]*\d)[A-Z0-9]+(?:-[A-Z0-9]+)+\b|(?i:\b[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}\b)"
)
_CODE_CHARACTERS = frozenset("23456789abcdefghjkmnpqrstuvwxyz")
# A word: letters and digits (Arabizi writes ع as 3), with inner apostrophes kept out.
_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Word:
    text: str  # case-folded
    script: str
    # How much its n-grams weigh: 1 for the person's own words, less for a word of a term borrowed
    # whatever the language (bot/language/borrowed.yml), beside the person's own words.
    evidence: float = 1.0

    @property
    def borrowed(self) -> bool:
        return self.evidence < 1.0

    @property
    def weight(self) -> float:
        return max(1.0, len(self.text) / 2) if self.script in _UNSPACED_SCRIPTS else 1.0


def script_of(char: str) -> str | None:
    """LATIN, ARABIC, CYRILLIC, CJK… for a letter; None for anything else."""
    if not unicodedata.category(char).startswith("L"):
        return None
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] or None


def normalise(text: str) -> str:
    """NFKC, without Arabic vowel marks and tatweel (they split words and vary by writer)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        c
        for c in text
        if c != "\u0640" and not (unicodedata.category(c) == "Mn" and 0x0600 <= ord(c) < 0x0800)
    )


def _is_reference(token: str) -> bool:
    """Numbers with a unit or a few letters (14h30, 2e, 10kg) and capital codes (K7Q2M9XP)."""
    digits = sum(c.isdigit() for c in token)
    if digits == 0:
        return False
    letters = len(token) - digits
    if digits >= letters or token.isupper():
        return True
    # k7q2m9xp: a code typed in lower case; Arabizi words have one digit, rarely two.
    return digits >= 2 and len(token) >= 6 and set(token.lower()) <= _CODE_CHARACTERS


def _split_scripts(token: str) -> list[tuple[str, str]]:
    """A token cut where its script changes ("salamعليكم" is two words); digits stay with
    the letters around them (Arabizi "3ndi")."""
    parts: list[tuple[str, str]] = []
    current, script = "", None
    for char in token:
        char_script = script_of(char)
        if char_script and script and char_script != script:
            parts.append((current, script))
            current = ""
        if char_script:
            script = char_script
        current += char
    if current and script:
        parts.append((current, script))
    return parts


def words(text: str) -> list[Word]:
    """The words of a message that can carry its language, in order."""
    text = _CODE.sub(" ", _LINK.sub(" ", normalise(text)))
    found: list[Word] = []
    for token in _WORD.findall(text):
        if any(script_of(c) in _UNSPACED_SCRIPTS for c in token):
            # "有效期到2026年2月28日" is one token without spaces: its numbers carry no
            # language, and left in they made the whole sentence look like a reference.
            token = _DIGITS.sub("", token)
        if _is_reference(token):
            continue
        found.extend(Word(part.casefold(), script) for part, script in _split_scripts(token))
    return found


def fold(word: str) -> str:
    """Lower case without Latin accents, to compare with the neutral words."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def deciding_script(found: list[Word]) -> str:
    """The script whose words decide: the words of a non-Latin script when there are at least two
    of them or they make a third of the message, else the Latin words (bot.language.identify)."""
    weights: Counter[str] = Counter()
    for word in found:
        weights[word.script] += word.weight
    total = sum(weights.values())
    others = [(w, s) for s, w in weights.items() if s != LATIN]
    if others:
        weight, script = max(others)
        if weight >= MIN_WORDS_OF_ANOTHER_SCRIPT or weight >= total * MIN_SHARE_OF_ANOTHER_SCRIPT:
            return script
    return LATIN if LATIN in weights else max(weights, key=weights.__getitem__)
