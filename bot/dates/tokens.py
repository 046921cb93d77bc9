"""From a message to date tokens: folding, splitting, lexicon look-up, one-edit typo correction.

The text is folded (bot.text.fold: accents, Arabic variants, Arabic-Indic digits), split into
numbers, times, dates and words, and words are looked up in the lexicon of the language, with
Arabic clitics ("و", "ب", "ال"…) peeled off and SMS typos corrected within one edit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from bot.dates.lexicon import (
    AFTER_NUMBER,
    AMBIGUOUS,
    BEFORE_NUMBER,
    BY_LANGUAGE,
    COMMON,
    FILLERS,
    NEVER_CORRECTED,
    SOLAR_MONTHS,
)
from bot.i18n import SUPPORTED_LANGUAGES
from bot.locales import unspaced_scripts
from bot.text import fold, joined_up, spaced_out

_TOKEN_RE = re.compile(
    r"""
    (?P<numdate>\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}|\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?|\d{1,2}[/.\-]\d{4})(?![/.\-]?\d)
    |(?P<ampm>\d{1,2}(?:[:h.]\d{2})?\s?[ap]\.?m\b\.?)
    |(?P<time>\d{1,2}\s?(?:h|:)\s?\d{2}(?!\d)|\d{1,2}\s?h(?![^\W\d_]))
    |(?P<ordinal>\d{1,2}(?:er|ere|eme|e|st|nd|rd|th)(?![^\W\d_]))
    |(?P<mixed>[^\W_]*(?:\d[^\W\d_]|[^\W\d_]\d)[^\W_]*)
    |(?P<num>\d+)
    |(?P<word>[^\W\d_]+)
    """,
    re.VERBOSE,
)
_SPLIT_MIXED_RE = re.compile(r"\d+|[^\W\d_]+")


class Tok(NamedTuple):
    kind: str
    value: object
    text: str
    # A second reading for ambiguous words ("mar" is mardi, or mars after a day number).
    alt: tuple[str, object] | None = None


def _raw_tokens(folded: str) -> list[tuple[str, str]]:
    """Splits folded text into (regex group, text) pairs."""
    out: list[tuple[str, str]] = []
    for match in _TOKEN_RE.finditer(folded):
        group = match.lastgroup or "word"
        out.append((group, match.group()))
    return out


# Typos within one edit are corrected towards words of six letters or more only: shorter ones
# have ordinary neighbours ("merci"~"mercr", "might"~"night", "marche"~"march"), so their usual
# SMS spellings are listed instead. "je" is therefore never jeudi.
_FUZZY_MIN_LENGTH = 5
_FUZZY_TARGET_LENGTH = 6
_FUZZY_KINDS = frozenset({"rel", "weekday", "month", "part", "next", "unit"})


def _folded(text: str) -> str:
    # A language written without spaces has each letter read as a word: its date words are
    # phrases of letters, matched longest first like "après demain" (bot.text.spaced_out).
    return spaced_out(fold(text), unspaced_scripts())


def _phrase_key(text: str) -> tuple[str, ...]:
    return tuple(t for _, t in _raw_tokens(_folded(text)))


# Counter phrases, longest first: (pieces, counter).
_COUNTERS: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    sorted(
        (
            (key, counter)
            for counter, sps in AFTER_NUMBER.items()
            for s in sps
            if (key := _phrase_key(s))
        ),
        key=lambda item: -len(item[0]),
    )
)


@dataclass(frozen=True)
class _Lexicon:
    words: dict[str, Tok]
    phrases: dict[tuple[str, ...], Tok]
    longest_phrase: int
    fuzzy_deletes: dict[str, set[str]]
    # Words of the phrases: a mixed one ("ba9i" of "ba9i liha") is kept whole, not split.
    phrase_words: frozenset[str] = frozenset()


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        i, j = diffs[0], diffs[-1]
        return len(diffs) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@cache
def _lexicon(lang: str) -> _Lexicon:
    words: dict[str, Tok] = {}
    phrases: dict[tuple[str, ...], Tok] = {}
    for kind, value, alternatives in COMMON + BY_LANGUAGE.get(lang, []):
        for alternative in alternatives:
            key = _phrase_key(alternative)
            if not key:
                continue
            tok = Tok(kind, value, " ".join(key))
            if len(key) == 1:
                words[key[0]] = tok
            else:
                phrases[key] = tok
    for word, (kind, value, alt) in AMBIGUOUS.get(lang, {}).items():
        words[word] = Tok(kind, value, word, alt)
    for spelling, month in SOLAR_MONTHS.get(lang, {}).items():
        key = _phrase_key(spelling)
        if len(key) == 1 and key[0] not in words:
            # A word unless the reader finds it beside a day, "month" or a solar year.
            words[key[0]] = Tok("word", None, key[0], ("solar", month))
    fuzzy: dict[str, set[str]] = {}
    for word, tok in words.items():
        if (
            tok.kind in _FUZZY_KINDS
            and len(word) >= _FUZZY_TARGET_LENGTH
            and word.isascii()
            and word.isalpha()
        ):
            fuzzy.setdefault(word, set()).add(word)
            for deleted in _deletes(word):
                fuzzy.setdefault(deleted, set()).add(word)
    longest = max((len(k) for k in phrases), default=1)
    phrase_words = frozenset(word for key in phrases for word in key)
    return _Lexicon(words, phrases, longest, fuzzy, phrase_words)


_ARABIC_CLITICS = ("و", "ف", "ب", "ل")


def _lookup_word(word: str, lex: _Lexicon) -> Tok | None:
    tok = lex.words.get(word)
    if tok is not None:
        return tok
    # Arabic glues "and/in/at/for" to the next word: "والثلاثاء", "بالصباح".
    if len(word) > 3 and word[0] in _ARABIC_CLITICS:
        tok = lex.words.get(word[1:])
        if tok is not None:
            return tok._replace(text=word)
        if word[1:3] == "ال":
            tok = lex.words.get(word[3:])
            if tok is not None:
                return tok._replace(text=word)
        # "for the" drops the article's alif: ل + الخميس is written "للخميس".
        if word.startswith("لل"):
            tok = lex.words.get(word[2:])
            if tok is not None:
                return tok._replace(text=word)
    if len(word) > 4 and word.startswith("ال"):
        tok = lex.words.get(word[2:])
        if tok is not None:
            return tok._replace(text=word)
    if len(word) >= _FUZZY_MIN_LENGTH and word.isascii() and word.isalpha():
        return None if word in NEVER_CORRECTED else _fuzzy(word, lex)
    return None


def _fuzzy(word: str, lex: _Lexicon) -> Tok | None:
    candidates = set(lex.fuzzy_deletes.get(word, ()))
    for deleted in _deletes(word):
        candidates |= lex.fuzzy_deletes.get(deleted, set())
    matches = {c for c in candidates if _edit_distance_at_most_one(word, c)}
    readings = {(lex.words[c].kind, lex.words[c].value) for c in matches}
    if len(readings) != 1:
        return None
    kind, value = readings.pop()
    return Tok(kind, value, word)


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _numeric_token(group: str, text: str) -> Tok:
    if group == "numdate":
        parts = re.split(r"[/.\-]", text)
        if len(parts[0]) == 4:
            return Tok("numdate", (int(parts[2]), int(parts[1]), int(parts[0])), text)
        if len(parts) == 2 and len(parts[1]) == 4:
            return Tok("monthyear", (int(parts[0]), int(parts[1])), text)
        year = _year(parts[2]) if len(parts) == 3 else None
        return Tok("numdate", (int(parts[0]), int(parts[1]), year), text)
    if group == "ampm":
        digits = re.findall(r"\d+", text)
        hour, minute = int(digits[0]), int(digits[1]) if len(digits) > 1 else 0
        pm = "p" in text
        hour = hour % 12 + (12 if pm else 0)
        return Tok("clock", (hour, minute), text)
    if group == "time":
        digits = re.findall(r"\d+", text)
        return Tok("time", (int(digits[0]), int(digits[1]) if len(digits) > 1 else 0), text)
    if group == "ordinal":
        return Tok("ordinal", int(re.match(r"\d+", text).group()), text)  # type: ignore[union-attr]
    return Tok("num", int(text), text)


def tokenise(text: str, lang: str) -> list[Tok]:
    """Turns a message into date tokens; unknown words stay as `word` tokens (they separate)."""
    lex = _lexicon(lang if lang in SUPPORTED_LANGUAGES else "fr")
    raw = _raw_tokens(_folded(text))
    expanded: list[tuple[str, str]] = []
    for group, piece in raw:
        if group == "mixed" and piece not in lex.words and piece not in lex.phrase_words:
            # "3mars", "le3", "9h30mardi": glued by a phone keyboard, read apart.
            for part in _SPLIT_MIXED_RE.findall(piece):
                sub = _raw_tokens(part)
                expanded.extend(sub if len(sub) == 1 else [("word", part)])
        else:
            expanded.append((group, piece))
    tokens: list[Tok] = []
    i = 0
    while i < len(expanded):
        for size in range(min(lex.longest_phrase, len(expanded) - i), 1, -1):
            key = tuple(p for _, p in expanded[i : i + size])
            phrase = lex.phrases.get(key)
            if phrase is not None:
                tokens.append(phrase)
                i += size
                break
        else:
            group, piece = expanded[i]
            if group in ("word", "mixed"):
                tokens.append(_lookup_word(piece, lex) or Tok("word", None, piece))
            else:
                tokens.append(_numeric_token(group, piece))
            i += 1
    tokens = _counted(tokens) if _COUNTERS else tokens
    tokens = _numbered(tokens)
    return [
        _settle_weak_weekday(tokens, i) if t.kind == "weekday?" else t for i, t in enumerate(tokens)
    ]


def _counter_at(tokens: Sequence[Tok], i: int) -> tuple[str, int] | None:
    """The counter written from token i on, and how many tokens it takes."""
    for key, counter in _COUNTERS:
        pieces: list[str] = []
        j = i
        while j < len(tokens) and len(pieces) < len(key):
            pieces.extend(tokens[j].text.split(" "))
            j += 1
        if tuple(pieces) == key:
            return counter, j - i
    return None


def _counted(tokens: list[Tok]) -> list[Tok]:
    """A number and the counter glued after it, read as one token: "3月" is March, "15号" the
    15th, "2027年" a year, "3点" three o'clock, "3点半" half past, "3点15分" a quarter past."""
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        found = _counter_at(tokens, i + 1) if tok.kind in ("num", "numword") else None
        value = int(tok.value) if found else 0  # type: ignore[arg-type]
        if found is None or found[0] == "minute":
            out.append(tok)
            i += 1
            continue
        counter, size = found
        end = i + 1 + size
        text = " ".join(t.text for t in tokens[i:end])
        text = joined_up(text, unspaced_scripts())
        if counter == "year" and len(tok.text) == 4:
            out.append(Tok("year", value, text))
        elif counter == "month" and 1 <= value <= 12:
            out.append(Tok("month", value, text))
        elif counter == "day" and 1 <= value <= 31:
            out.append(Tok("ordinal", value, text))
        elif counter in ("hour", "half_hour") and value <= 24:
            minute = 30 if counter == "half_hour" else 0
            if counter == "hour" and end < len(tokens) and tokens[end].kind in ("num", "numword"):
                after = _counter_at(tokens, end + 1)
                minutes = int(tokens[end].value)  # type: ignore[arg-type]
                if minutes <= 59 and (after and after[0] == "minute" or len(tokens[end].text) == 2):
                    minute = minutes
                    end += 1 + (after[1] if after and after[0] == "minute" else 0)
                    text = joined_up(" ".join(t.text for t in tokens[i:end]), unspaced_scripts())
            out.append(Tok("time", (value, minute), text))
        else:
            out.append(tok)
            end = i + 1
        i = end
    return out


def _numbered(tokens: list[Tok]) -> list[Tok]:
    """A month named by the number after it ("شهر 4" is April, "fchhar 4" too), unless a
    number or "in" before it counts it ("بعد شهر 4 أيام")."""
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        tok, after = tokens[i], tokens[i + 1] if i + 1 < len(tokens) else None
        counted = bool(out) and out[-1].kind in ("num", "numword", "in")
        word = tok.text[1:] if tok.text[:1] in _ARABIC_CLITICS + ("f",) else tok.text
        named = next((c for c, ws in BEFORE_NUMBER.items() if tok.text in ws or word in ws), None)
        # Digits only: "شهر واحد" is one month, not January.
        if named and after is not None and after.kind == "num" and not counted:
            value = int(after.value)  # type: ignore[arg-type]
            short = len(after.text) <= 2
            if named == "month" and 1 <= value <= 12 and short:
                out.append(Tok("month", value, f"{tok.text} {after.text}"))
                i += 2
                continue
        out.append(tok)
        i += 1
    return out


_WEEKDAY_CONTEXT = frozenset({"time", "clock", "num", "ordinal", "part", "next", "this", "enhuit"})


def _settle_weak_weekday(tokens: Sequence[Tok], i: int) -> Tok:
    def neighbour(step: int) -> Tok | None:
        j = i + step
        while 0 <= j < len(tokens):
            tok = tokens[j]
            if tok.kind != "at" and not (tok.kind == "word" and tok.text in FILLERS):
                return tok
            j += step
        return None

    before, after = neighbour(-1), neighbour(+1)
    alone = before is None and after is None
    if alone or any(t is not None and t.kind in _WEEKDAY_CONTEXT for t in (before, after)):
        return tokens[i]._replace(kind="weekday")
    return tokens[i]._replace(kind="word", value=None)
