"""Cue files (`cues/<lang>.yml`) and how their phrases are found in a message.

A cue is matched on folded words (bot.text.fold), so accents, case, Arabic letter variants and
Arabic-Indic digits never matter. The syntax is described at the top of `cues/fr.yml`. Pure core:
reads the YAML files once, no I/O after that.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.locales import unspaced_scripts
from bot.text import fold, in_scripts, spaced_out

CUES_DIR = Path(__file__).resolve().parent / "cues"

_WORD = re.compile(r"[^\W_]+")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Latin words shorter than this must be spelt exactly: "permit" one typo away is "permis".
_FUZZY_MIN = 7
# Consecutive cue words may have one word between them ("carte DE résident", "my STUDENT card").
_MAX_GAP = 2
# The value of cues that only take their words ("-" in the cue files, see cues/fr.yml).
NOTHING = "-"


# Answers one book's `word_matches` keeps (a few MB): a message asks some ten thousand new
# ones, and the next message asks many of them again; forgotten all at once when full, since
# the world's words are endless and a process that kept them all would grow without end.
_MEMO_MAX = 50_000


# Words (and pairs of a cue word and a word) whose readings the helpers below keep: a
# process reads the world's words, so what is kept must be bounded.
_WORDS_KEPT = 1 << 16
_PAIRS_KEPT = 1 << 17


def words(text: str) -> list[str]:
    """The folded words of a message, digits and Arabizi 3/7/9 kept inside words; in a language
    written without spaces (Chinese), each letter is a word (bot.text.spaced_out)."""
    return _WORD.findall(spaced_out(fold(text), unspaced_scripts()))


@dataclass(frozen=True)
class Pattern:
    """One cue word: exact, or a stem (`stem*`). `glued`: a letter of a language written
    without spaces that follows another in its cue ("居留证"): no word may stand between them."""

    text: str
    stem: bool
    glued: bool = False

    @classmethod
    def parse(cls, raw: str) -> Pattern:
        return cls(raw[:-1], True) if raw.endswith("*") else cls(raw, False)


@dataclass(frozen=True)
class Cue:
    """A phrase (`a b`) or a conjunction of phrases (`a + b`) meaning one value."""

    source: str
    parts: tuple[tuple[Pattern, ...], ...]

    @property
    def size(self) -> int:
        return sum(len(part) for part in self.parts)

    @cached_property
    def scripts(self) -> tuple[frozenset[str], ...]:
        """The scripts of each of its words' letters (see `scripts_of`)."""
        return tuple(scripts_of(p.text) for part in self.parts for p in part if p.text)

    def readable_in(self, present: frozenset[str]) -> bool:
        """Whether every word of the cue has a letter of a script the message has: a word
        matches only a word sharing letters with it (a prefix, a clitic or one typo away), so
        an Arabic cue is not tried, word by word, against an English message."""
        return all(scripts & present for scripts in self.scripts)


@dataclass(frozen=True)
class Reading:
    """A cue found in a message: what it says and which words it used."""

    dimension: str
    value: str
    rank: int  # position of the value in its dimension: lower wins
    positions: frozenset[int]
    # Found only one typo away (or, in Arabizi, by its consonants): weaker evidence, which the
    # reader doubts when something else in the message says otherwise (decision 0022).
    fuzzy: bool = False


@dataclass(frozen=True)
class CueBook:
    """One language's cues; `prefixes`/`suffixes` are the clitics its words may carry."""

    lang: str
    facts: dict[str, tuple[tuple[str, tuple[Cue, ...]], ...]]
    hints: dict[str, tuple[tuple[str, tuple[Cue, ...]], ...]]
    wants: tuple[tuple[str, tuple[Cue, ...]], ...]
    expiry: tuple[Cue, ...]
    place_markers: frozenset[str]
    number_markers: frozenset[str]
    ambiguous_places: frozenset[str]
    home_only: frozenset[str]
    prefixes: tuple[str, ...]
    suffixes: frozenset[str]
    # Letters this language's writers type for one another (Pashto ي ې ۍ for ی, گ for ګ on a
    # Dari keyboard): the book reads its cues and the message's words with them made one.
    variants: tuple[tuple[str, str], ...] = ()
    # Words that deny what follows ("ماشي طالب", "ما بغيتش نجدد", "machi etudiant"): a cue that
    # starts right after them (or one word later) takes its words and says nothing.
    negations: tuple[Cue, ...] = ()
    # Latin letters written for this language's sounds (Arabizi): cue words match the message's
    # by their consonants (`latin_skeleton`), "njaddadha" for "njdedha". Only in the message's
    # own language: a borrowed book matches exactly ("promis" is no "permis").
    arabizi: bool = False
    # Cue words whose consonants are also another word's ("salat" expired, "salut" hello).
    spelt_exactly: frozenset[str] = frozenset()
    # Questions the person may ask in the middle of a form ("combien ça coûte ?"): the form
    # answers them and asks its own question again instead of reading them as the answer.
    questions: tuple[tuple[str, tuple[Cue, ...]], ...] = ()
    # Words as SMS and phonetic spelling write them, read as the word they stand for ("kan" is
    # "quand", "fame" "femme", "cart" "carte"): every cue holding the standard word then reads
    # them, instead of each cue listing each spelling. Only in the message's own language
    # ("kan" is "was" in Darija): a borrowed book has none.
    spellings: tuple[tuple[str, str], ...] = ()
    # Darija marks a verb's aspect before its person letter ("ka-t-sali", it expires; "gha-n-
    # jdded", I will renew; "كا-ن-جدد"): with it dropped, the cue's verb reads the word. Only
    # before a person letter, so "tajdid" (renewal) and "karta" (the card) keep their letters.
    verb_prefixes: tuple[str, ...] = ()
    verb_persons: frozenset[str] = frozenset()
    # What `word_matches` answered: each table's cues are tried at every word, so one message
    # asks the same (cue word, word) many times over (bounded: _MEMO_MAX).
    _memo: dict[tuple[str, bool, str, bool], bool] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # Where each cue word stands in a message: reading one message tries thousands of cues,
    # most sharing their words, in some fifty tables; each (cue word, message) is scanned once.
    # Keyed by the message's words, so threads reading different messages never mix answers.
    _scans: dict[tuple[str, ...], _Scan] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def borrowed(self) -> CueBook:
        """The same book without the cues that mean something else in other languages."""

        def keep(
            table: tuple[tuple[str, tuple[Cue, ...]], ...],
        ) -> tuple[tuple[str, tuple[Cue, ...]], ...]:
            return tuple(
                (value, tuple(c for c in cues if c.source not in self.home_only))
                for value, cues in table
            )

        return CueBook(
            self.lang,
            {dim: keep(table) for dim, table in self.facts.items()},
            {dim: keep(table) for dim, table in self.hints.items()},
            keep(self.wants),
            self.expiry,
            self.place_markers,
            self.number_markers,
            self.ambiguous_places,
            self.home_only,
            self.prefixes,
            self.suffixes,
            self.variants,
            self.negations,
            questions=self.questions,
        )  # arabizi: False

    # -- matching ------------------------------------------------------------------------

    def forms(self, word: str) -> tuple[str, ...]:
        """The word and the word without one clitic prefix of this language (Arabic "وبالكارط")."""
        return _forms(self.prefixes, word)

    def word_matches(self, pattern: Pattern, word: str, fuzzy: bool = True) -> bool:
        # `glued` is where a word may stand, not what it is: not in the key.
        # Fuzzy reading only differs for long Latin cue words, and in Arabizi: one answer.
        fuzzy = fuzzy and (self.arabizi or len(pattern.text) >= _FUZZY_MIN)
        key = (pattern.text, pattern.stem, word, fuzzy)
        known = self._memo.get(key)
        if known is None:
            if len(self._memo) >= _MEMO_MAX:
                self._memo.clear()  # two threads at once only ask again: answers never differ
            known = self._memo[key] = self._word_matches(pattern, word, fuzzy)
        return known

    def _word_matches(self, pattern: Pattern, word: str, fuzzy: bool) -> bool:
        if self.variants:
            word = _unified(self.variants, word)
        if self.spellings:
            standard = _spelt(self.spellings, self.prefixes, word)
            if standard != word and _word_matches(
                self.prefixes, self.suffixes, pattern, standard, fuzzy
            ):
                return True
        if _word_matches(self.prefixes, self.suffixes, pattern, word, fuzzy):
            return True
        if (
            fuzzy
            and self.arabizi
            and pattern.text not in self.spelt_exactly
            and _same_skeleton(self.suffixes, pattern, word)
        ):
            return True
        verb = _without_aspect(self.verb_prefixes, self.verb_persons, word)
        if verb is not None and self.word_matches(pattern, verb, fuzzy):
            return True
        return fuzzy and self.arabizi and self._other_person(pattern, word)

    def _other_person(self, pattern: Pattern, word: str) -> bool:
        """Arabizi verbs in another person than the cue's, and French verbs conjugated in
        Darija: a cue verb in "I" (n-) reads the same verb in "you/she" (t-) or "he" (y-):
        "ma tqderch tji", "t2akhar rdv" for "ma nqderch nji", "nakher"; and a French stem
        (`renouvel*`, `recup*`, `expir*`, `annul*`) reads it with a person letter before it,
        as Darija conjugates French verbs ("nrecuperi", "yexpiri", "nannuliwh")."""
        if not (word.isascii() and pattern.text.isascii()) or word[:1] not in self.verb_persons:
            return False
        other_person = pattern.text.startswith("n") and word[0] != "n" and len(word) >= _PERSON_MIN
        if other_person and self.word_matches(pattern, "n" + word[1:], fuzzy=True):
            return True
        return (
            pattern.stem
            and len(pattern.text) >= _FRENCH_STEM_MIN
            and len(word) > _FRENCH_STEM_MIN
            and self.word_matches(pattern, word[1:], fuzzy=True)
        )

    def find(
        self, cue: Cue, tokens: Sequence[str], used: frozenset[int], fuzzy: bool = True
    ) -> frozenset[int] | None:
        """The positions of the cue's words in `tokens` (avoiding `used`), or None; `fuzzy`
        lets long Latin words match one typo away."""
        return self._find(cue, self.scan(tokens), used, fuzzy)

    def scan(self, tokens: Sequence[str]) -> _Scan:
        """The message as this book reads it, kept for the next tables that read it."""
        key = tuple(tokens)
        scan = self._scans.get(key)
        if scan is None:
            if len(self._scans) >= _SCANS_KEPT:
                self._scans.clear()  # two threads at once only scan again: answers never differ
            scan = self._scans[key] = _Scan(self, key)
        return scan

    def _find(
        self, cue: Cue, scan: _Scan, used: frozenset[int], fuzzy: bool
    ) -> frozenset[int] | None:
        positions: set[int] = set()
        for part in cue.parts:
            found = self._find_phrase(part, scan, used | positions, fuzzy)
            if found is None:
                return None
            positions |= set(found)
        return frozenset(positions)

    def _find_phrase(
        self,
        phrase: Sequence[Pattern],
        scan: _Scan,
        used: frozenset[int] | set[int],
        fuzzy: bool,
    ) -> tuple[int, ...] | None:
        starts = scan.hits(phrase[0], fuzzy)
        if not starts:  # most cues: their first word is not in the message
            return None
        length = len(scan.tokens)

        def extend(start: int, k: int) -> tuple[int, ...] | None:
            if k == len(phrase):
                return ()
            gap = 1 if phrase[k].glued else _MAX_GAP
            hits = scan.hits(phrase[k], fuzzy)
            for i in range(start, min(start + gap, length)):
                if i in hits and i not in used:
                    rest = extend(i + 1, k + 1)
                    if rest is not None:
                        return (i, *rest)
            return None

        for i in sorted(starts):
            if i not in used:
                rest = extend(i + 1, 1)
                if rest is not None:
                    return (i, *rest)
        return None

    def read(
        self,
        table: dict[str, tuple[tuple[str, tuple[Cue, ...]], ...]],
        tokens: Sequence[str],
        used: frozenset[int] = frozenset(),
    ) -> list[Reading]:
        """Every value the table's cues find, longest cues first, no word used twice (nor the
        words in `used`, taken by another language's cues). Among cues of one length, those
        spelt exactly in the message come before those found one typo away: "residence card"
        is "residence card", not "residency card" misspelt.

        A conjunction ("oublié + carte") reads its words as context: it may share words that a
        cue of another dimension took ("j'ai oublié ma CARTE de séjour": the title keeps
        "carte de séjour", the loss is still read), never those of its own dimension."""
        present = self.scripts_in(tokens)
        scan = self.scan(tokens)
        options = [
            (cue.size, dimension, rank, value, cue)
            for dimension, values in table.items()
            for rank, (value, cues) in enumerate(values)
            for cue in cues
            if cue.readable_in(present)
        ]
        options.sort(key=lambda o: (-o[0], o[2]))
        denied = self.denied(tokens)
        right_after = self.denied(tokens, reach=1)
        readings = []
        outside = used
        taken: dict[str, frozenset[int]] = {}
        for size in sorted({o[0] for o in options}, reverse=True):
            for fuzzy in (False, True):
                for _, dimension, rank, value, cue in (o for o in options if o[0] == size):
                    blocked = (
                        outside | taken.get(dimension, frozenset()) if len(cue.parts) > 1 else used
                    )
                    found = self._find(cue, scan, blocked, fuzzy)
                    if found is not None:
                        used |= found
                        taken[dimension] = taken.get(dimension, frozenset()) | found
                        # A phrase right after a negation (or one word later) is denied; a
                        # conjunction ("a + b") only when its first word is the very next one
                        # ("لست متزوجاً من فرنسية": not married to a French woman); its words
                        # may stand anywhere else.
                        negated = min(found) in (denied if len(cue.parts) == 1 else right_after)
                        said = NOTHING if negated else value
                        readings.append(Reading(dimension, said, rank, found, fuzzy))
        return readings

    def scripts_in(self, tokens: Sequence[str]) -> frozenset[str]:
        """The scripts of the message's words as this book reads them: with its letter
        variants made one and its SMS spellings read as the words they stand for."""
        present: set[str] = set()
        for token in tokens:
            word = _unified(self.variants, token) if self.variants else token
            present |= scripts_of(word)
            if self.spellings:
                present |= scripts_of(_spelt(self.spellings, self.prefixes, word))
        return frozenset(present)

    def denied(self, tokens: Sequence[str], reach: int = 2) -> frozenset[int]:
        """The positions a negation denies: the `reach` words right after it."""
        starts: set[int] = set()
        for cue in self.negations:
            phrase = cue.parts[0]
            for i in range(len(tokens) - len(phrase) + 1):
                if all(
                    self.word_matches(pattern, tokens[i + k], fuzzy=False)
                    for k, pattern in enumerate(phrase)
                ):
                    starts |= {i + len(phrase) + k for k in range(reach)}
        return frozenset(starts)

    def says_expiry(self, tokens: Sequence[str]) -> bool:
        scan = self.scan(tokens)
        return any(self._find(cue, scan, frozenset(), True) is not None for cue in self.expiry)


# Messages whose scans a book keeps (a message is read by some fifty tables in a row).
_SCANS_KEPT = 64


class _Scan:
    """One message as a book reads it: where each cue word stands, found once.

    A cue word is tried only at the words that could match it: those one of whose readings (the
    word, its letter variants made one, its SMS spelling, its verb without aspect or in another
    person, each without a clitic prefix) starts with the cue word's first letter; for a long
    Latin cue word read one typo away, whose first two letters hold one of the cue's first two;
    in Arabizi, whose consonants start as the cue's. `word_matches` stays the only judge: the
    index only leaves out words it would refuse."""

    def __init__(self, book: CueBook, tokens: tuple[str, ...]) -> None:
        self.book = book
        self.tokens = tokens
        self._hits: dict[tuple[str, bool, bool], frozenset[int]] = {}
        self._first: dict[str, set[int]] = {}
        self._second: dict[str, set[int]] = {}
        self._consonant: dict[str, set[int]] = {}
        for i, token in enumerate(tokens):
            for reading in _readings(book, token):
                for form in _forms(book.prefixes, reading):
                    self._first.setdefault(form[:1], set()).add(i)
                    self._second.setdefault(form[1:2], set()).add(i)
                if book.arabizi and reading.isascii():
                    cut = [reading[: -len(s)] for s in book.suffixes if reading.endswith(s)]
                    for form in (reading, *cut):
                        self._consonant.setdefault(latin_skeleton(form)[:1], set()).add(i)

    def hits(self, pattern: Pattern, fuzzy: bool) -> frozenset[int]:
        # The same key as the book's memo: fuzzy reading only differs for long Latin cue words.
        fuzzy = fuzzy and (self.book.arabizi or len(pattern.text) >= _FUZZY_MIN)
        key = (pattern.text, pattern.stem, fuzzy)
        found = self._hits.get(key)
        if found is None:
            found = self._hits[key] = frozenset(
                i
                for i in sorted(self._candidates(pattern, fuzzy))
                if self.book.word_matches(pattern, self.tokens[i], fuzzy)
            )
        return found

    def _candidates(self, pattern: Pattern, fuzzy: bool) -> Iterable[int]:
        text = pattern.text
        if len(text) < 2:  # a one-letter cue word may match as ة written ت: try every word
            return range(len(self.tokens))
        found = set(self._first.get(text[0], ()))
        if fuzzy and len(text) >= _FUZZY_MIN:
            for letter in text[:2]:
                found |= self._first.get(letter, set()) | self._second.get(letter, set())
        if fuzzy and self.book.arabizi and text.isascii():
            consonants = latin_skeleton(text)
            if not consonants:
                return range(len(self.tokens))
            found |= self._consonant.get(consonants[0], set())
        return found


def _readings(book: CueBook, token: str) -> set[str]:
    """Every word `book.word_matches` may compare a cue word with, for one word of a message."""
    found: set[str] = set()
    waiting = [token]
    while waiting:
        word = waiting.pop()
        if word in found or not word:
            continue
        found.add(word)
        unified = _unified(book.variants, word) if book.variants else word
        waiting.append(unified)
        if book.spellings:
            waiting.append(_spelt(book.spellings, book.prefixes, unified))
        verb = _without_aspect(book.verb_prefixes, book.verb_persons, unified)
        if verb is not None:
            waiting.append(verb)
        if book.arabizi and unified[:1] in book.verb_persons:
            waiting += ["n" + unified[1:], unified[1:]]
    return found


@lru_cache(maxsize=_WORDS_KEPT)
def scripts_of(text: str) -> frozenset[str]:
    """The scripts of a word's characters, by the first word of their Unicode names (LATIN,
    ARABIC, CJK, DIGIT…)."""
    return frozenset(unicodedata.name(c, c).split(" ", 1)[0] for c in text)


@lru_cache(maxsize=_WORDS_KEPT)
def _unified(variants: tuple[tuple[str, str], ...], text: str) -> str:
    for letter, read_as in variants:
        text = text.replace(letter, read_as)
    return text


@lru_cache(maxsize=_WORDS_KEPT)
def _spelt(spellings: tuple[tuple[str, str], ...], prefixes: tuple[str, ...], word: str) -> str:
    """The standard word an SMS spelling stands for, its glued pronoun dropped ("jveu" →
    "veux"), or the word itself."""
    table = dict(spellings)
    for form in _forms(prefixes, word):
        if form in table:
            return table[form]
    return word


# A verb keeps its person letter and three letters of stem once its aspect prefix is dropped.
_VERB_MIN = 4
# An Arabizi verb read in another person keeps two letters after its person letter ("tji");
# a French verb stem read after a person letter has five letters or more ("recup*", not "fac").
_PERSON_MIN = 3
_FRENCH_STEM_MIN = 5


@lru_cache(maxsize=_WORDS_KEPT)
def _without_aspect(prefixes: tuple[str, ...], persons: frozenset[str], word: str) -> str | None:
    for prefix in prefixes:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= _VERB_MIN and rest[0] in persons:
            return rest
    return None


@lru_cache(maxsize=_WORDS_KEPT)
def _forms(prefixes: tuple[str, ...], word: str) -> tuple[str, ...]:
    found = [word]
    for prefix in prefixes:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            found.append(word[len(prefix) :])
    return tuple(found)


@lru_cache(maxsize=_PAIRS_KEPT)
def _word_matches(
    prefixes: tuple[str, ...], suffixes: frozenset[str], pattern: Pattern, word: str, fuzzy: bool
) -> bool:
    # An Arabic ة (folded ه) is written ت before a suffix: بطاقه → بطاقتي.
    bound = pattern.text[:-1] + "ت" if pattern.text.endswith("ه") and suffixes else None
    seats = _hamza_seats(pattern.text) if suffixes else ()
    for form in _forms(prefixes, word):
        if form.startswith(pattern.text):
            rest = form[len(pattern.text) :]
            if pattern.stem or not rest or rest in suffixes:
                return True
        if bound and form.startswith(bound) and form[len(bound) :] in suffixes:
            return True
        for seat, alone in seats:
            if form.startswith(seat):
                rest = form[len(seat) :]
                if pattern.stem or rest in suffixes or (alone and not rest):
                    return True
        if fuzzy and _close(pattern, form):
            return True
    return False


# A word-final Arabic hamza (ء) sits on ي or و before a suffix (لجوء → لجوئي, folded لجويي;
# انتهاء → انتهائها) and is often not typed at all (انتها). Short words are left as they are.
_HAMZA = "ء"
_HAMZA_SEATS = ("ي", "و", "ا")
_HAMZA_MIN = 4


@cache
def _hamza_seats(text: str) -> tuple[tuple[str, bool], ...]:
    """The spellings of a cue word ending in a hamza, each with whether it may stand alone
    (without a suffix): the hamza dropped may, a seat needs the suffix it sits before."""
    if not text.endswith(_HAMZA) or len(text) < _HAMZA_MIN:
        return ()
    base = text[: -len(_HAMZA)]
    return ((base, True), *((base + seat, False) for seat in _HAMZA_SEATS))


# Arabizi spellings of one sound, made one letter (ch/sh, kh/5/x, gh/8, q/9, dj/j, dh/d, 7/h),
# French c as it sounds (ce → s, ca → k); vowels, hamza (2) and doubled letters dropped.
_SOUNDS = (
    ("sh", "C"),
    ("ch", "C"),
    ("kh", "X"),
    ("5", "X"),
    ("x", "X"),
    ("gh", "R"),
    ("8", "R"),
    ("dj", "j"),
    ("dh", "d"),
    ("th", "t"),
    ("q", "9"),
    ("7", "h"),
    ("2", ""),
)
_SOFT_C = re.compile(r"c(?=[eiy])")
_VOWELS = re.compile(r"[aeiouy]")
_DOUBLED = re.compile(r"(.)\1+")
# Shorter skeletons are other words: a cue word of three consonants matches by them only when
# it is not a stem and has five letters or more; a stem needs four ("perdu*" is no "pardon").
_SKELETON_MIN = 3
_SKELETON_MIN_STEM = 4
_SKELETON_MIN_LETTERS = 5


@lru_cache(maxsize=_WORDS_KEPT)
def latin_skeleton(word: str) -> str:
    """The consonants of an Arabizi word, spelling variants made one: "njaddadha" → "njddh"."""
    for written, sound in _SOUNDS:
        word = word.replace(written, sound)
    word = _SOFT_C.sub("s", word).replace("c", "k")
    return _DOUBLED.sub(r"\1", _VOWELS.sub("", word))


@lru_cache(maxsize=_PAIRS_KEPT)
def _same_skeleton(suffixes: frozenset[str], pattern: Pattern, word: str) -> bool:
    """Whether a Latin word is the cue word spelt another way (Arabizi), maybe with a suffix."""
    if not (word.isascii() and pattern.text.isascii()) or pattern.text.isdigit() or len(word) < 4:
        return False
    wanted = latin_skeleton(pattern.text)
    if len(wanted) < (_SKELETON_MIN_STEM if pattern.stem else _SKELETON_MIN):
        return False
    if (
        not pattern.stem
        and len(wanted) == _SKELETON_MIN
        and len(pattern.text) < _SKELETON_MIN_LETTERS
    ):
        return False
    forms = [word, *(word[: -len(s)] for s in suffixes if s.isascii() and word.endswith(s))]
    for form in forms:
        found = latin_skeleton(form)
        if found == wanted or (pattern.stem and found.startswith(wanted)):
            return True
    return False


def _close(pattern: Pattern, word: str) -> bool:
    """One typo away, for Latin words long enough that a typo cannot make another word."""
    text = pattern.text
    if len(text) < _FUZZY_MIN or _ARABIC.search(text):
        return False
    if pattern.stem:
        return any(one_edit(text, word[:n]) for n in (len(text) - 1, len(text), len(text) + 1))
    return one_edit(text, word)


@lru_cache(maxsize=_PAIRS_KEPT)
def one_edit(a: str, b: str) -> bool:
    """Levenshtein distance ≤ 1, or one swap of neighbouring letters."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def _cues(raw: Iterable[object], variants: tuple[tuple[str, str], ...] = ()) -> tuple[Cue, ...]:
    found = []
    for item in raw:
        source = _unified(variants, fold(str(item)).strip())
        parts = tuple(_phrase(part) for part in source.split(" + "))
        if all(parts):
            found.append(Cue(source, parts))
    return tuple(found)


def _pattern_words(text: str) -> list[str]:
    # Same split as the message's words, keeping the stem mark.
    spaced = spaced_out(text, unspaced_scripts())
    return [w + ("*" if star else "") for w, star in re.findall(r"([^\W_]+)(\*?)", spaced)]


def _phrase(raw: str) -> tuple[Pattern, ...]:
    patterns = [Pattern.parse(w) for w in _pattern_words(raw)]
    unspaced = [in_scripts(p.text[:1], unspaced_scripts()) for p in patterns]
    return tuple(
        replace(p, glued=True) if k and unspaced[k] and unspaced[k - 1] else p
        for k, p in enumerate(patterns)
    )


def _table(
    raw: dict[str, object] | None, variants: tuple[tuple[str, str], ...] = ()
) -> tuple[tuple[str, tuple[Cue, ...]], ...]:
    return tuple(
        (str(value), _cues(cues or (), variants))  # type: ignore[arg-type]
        for value, cues in (raw or {}).items()  # type: ignore[union-attr]
    )


def _folded_set(
    raw: Iterable[object] | None, variants: tuple[tuple[str, str], ...] = ()
) -> frozenset[str]:
    return frozenset(_unified(variants, fold(str(w)).strip()) for w in raw or ())


class _UniqueKeyLoader(yaml.SafeLoader):
    """A cue file's mapping may not say a key twice: YAML keeps the last value silently, at the
    first one's place, and a list of cues was lost that way (a second `"-":` of en.yml)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ValueError(
                    f"line {key_node.start_mark.line + 1}: {key!r} is listed twice in this"
                    " mapping; merge the two lists"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_book(path: Path) -> CueBook:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    variants = tuple(
        (fold(str(letter)), fold(str(read_as)))
        for letter, read_as in (raw.get("variants") or {}).items()
    )
    return CueBook(
        lang=str(raw["lang"]),
        facts={dim: _table(values, variants) for dim, values in (raw.get("facts") or {}).items()},
        hints={dim: _table(values, variants) for dim, values in (raw.get("hints") or {}).items()},
        wants=_table(raw.get("wants"), variants),
        expiry=_cues(raw.get("expiry") or (), variants),
        place_markers=_folded_set(raw.get("place_markers")),
        number_markers=_folded_set(raw.get("number_markers")),
        ambiguous_places=_folded_set(raw.get("ambiguous_places")),
        home_only=_folded_set(raw.get("home_only"), variants),
        prefixes=tuple(sorted(_folded_set(raw.get("prefixes"), variants), key=len, reverse=True)),
        suffixes=_folded_set(raw.get("suffixes"), variants),
        variants=variants,
        negations=_cues(raw.get("negations") or ()),
        arabizi=bool(raw.get("arabizi")),
        spelt_exactly=_folded_set(raw.get("spelt_exactly")),
        questions=_table(raw.get("questions"), variants),
        spellings=tuple(
            (fold(str(written)).strip(), fold(str(meant)).strip())
            for written, meant in (raw.get("spellings") or {}).items()
        ),
        verb_prefixes=tuple(
            sorted(_folded_set(raw.get("verb_prefixes"), variants), key=len, reverse=True)
        ),
        verb_persons=_folded_set(raw.get("verb_persons"), variants),
    )


@cache
def books() -> dict[str, CueBook]:
    """Every language's cue book, by language code (one file per language)."""
    return {book.lang: book for book in map(load_book, sorted(CUES_DIR.glob("*.yml")))}


@cache
def books_for(lang: str | None) -> tuple[CueBook, ...]:
    """The message language's book first, then the others without their false friends.

    People mix: English with "titre de séjour", Darija with "la carte de 10 ans".
    """
    every = books()
    primary = every.get((lang or "").split("-")[0].lower())
    if primary is None:
        return tuple(every.values())
    return (primary, *(book.borrowed() for code, book in every.items() if code != primary.lang))
