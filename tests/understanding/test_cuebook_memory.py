"""The cue book's kept answers: bounded (a gateway reads the world's words for months), and
never a different reading from the one computed afresh."""

from __future__ import annotations

import random
import string

from bot.understanding import cuebook
from bot.understanding.cuebook import Pattern, books_for, scripts_of, words

# Caches keyed by what the cue files hold, not by the words of messages: bounded by the files.
_KEYED_BY_THE_FILES = {"books", "books_for", "_hamza_seats", "unspaced_scripts"}


def test_every_cache_keyed_by_a_message_word_is_bounded():
    word_keyed = {
        name: function.cache_info().maxsize
        for name, function in vars(cuebook).items()
        if hasattr(function, "cache_info") and name not in _KEYED_BY_THE_FILES
    }
    assert word_keyed and all(size is not None for size in word_keyed.values()), word_keyed


def test_a_book_keeps_at_most_its_bound_of_answers():
    rng = random.Random(7)
    book = books_for("fr")[0]
    peak = 0
    for _ in range(60):
        message = " ".join(
            "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(25)
        )
        book.read(book.facts, words(message))
        assert len(book._memo) <= cuebook._MEMO_MAX
        peak = max(peak, len(book._memo))
    assert peak > cuebook._MEMO_MAX // 2  # the bound was reached, not merely never approached


def test_a_kept_answer_is_the_answer_computed_afresh():
    book = books_for("ar")[0]
    pairs = [
        (Pattern.parse("njdd*"), "njaddadha", True),
        (Pattern.parse("renouvel*"), "nrenouvli", True),
        (Pattern.parse("carte"), "karta", True),
        (Pattern.parse("resident"), "residant", False),
        (Pattern.parse("بطاقه"), "بطاقتي", False),
    ]
    for pattern, word, fuzzy in pairs:
        first = book.word_matches(pattern, word, fuzzy)
        assert book.word_matches(pattern, word, fuzzy) == first
        assert book._word_matches(pattern, word, fuzzy) == first


def test_scripts_of_a_word_are_those_of_its_letters():
    assert scripts_of("karta") == {"LATIN"}
    assert scripts_of("10") == {"DIGIT"}
    assert scripts_of("بطاقتي") == {"ARABIC"}
    assert scripts_of("f9arti") == {"LATIN", "DIGIT"}


def test_a_latin_cue_is_still_read_in_an_arabic_message_with_latin_words():
    """The script filter skips an Arabic cue for an English message, never a cue whose words
    the message does have: "salam عندي موعد f prefecture بغيت نلغيه" cancels."""
    from bot.understanding import read_wants

    assert read_wants("salam عندي موعد f prefecture بغيت نلغيه", "ar") == "cancel"
    assert read_wants("bghit nlghi rdv dyali", "ar") == "cancel"


def test_a_book_keeps_at_most_its_bound_of_scanned_messages():
    book = books_for("fr")[0]
    for n in range(cuebook._SCANS_KEPT * 2):
        book.read(book.wants and {"wants": book.wants}, words(f"message {n} pour annuler"))
        assert len(book._scans) <= cuebook._SCANS_KEPT


# Messages whose words take every road of `word_matches`: clitics and ة written ت, a hamza on
# its seat, SMS spellings, one typo, Arabizi consonants, Darija aspect and person, Pashto letters.
_EVERY_ROAD = (
    ("fr", "jveu renouvler ma cart de residant, kan est mon rdv"),
    ("ar", "وبالكارط ديالي بطاقتي انتهائها لجويي كانجدد"),
    ("ar", "bghit njaddadha karti tsali, nrecuperi yexpiri t2akhar rdv ma tqderch tji"),
    ("en", "i need to renw my residance permitt appt hubby, esidence eresidence tesidence"),
    ("en", "ersidence card aturalisation"),
    ("ps", "زه غواړم خپل د اوسیدو کارت نوی کړم ګډه"),
    ("zh", "我想续签我的居留证"),
)


def test_the_scan_finds_every_word_that_matches_a_cue_word():
    # The scan tries a cue word only at the words its index keeps: it must never leave out one
    # that `word_matches` accepts, for any cue word of any book that reads the message.
    for lang, message in _EVERY_ROAD:
        tokens = words(message)
        for book in books_for(lang):
            patterns = {
                p
                for table in (*book.facts.values(), *book.hints.values(), book.wants)
                for _, cues in table
                for cue in cues
                for part in cue.parts
                for p in part
            }
            scan = book.scan(tokens)
            for pattern in patterns:
                for fuzzy in (False, True):
                    expected = {
                        i for i, t in enumerate(tokens) if book.word_matches(pattern, t, fuzzy)
                    }
                    assert scan.hits(pattern, fuzzy) == expected, (lang, book.lang, pattern)
