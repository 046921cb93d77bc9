"""Which documents a person names in their own words ("j'ai pas encore les photos", "I don't
have the tax stamp yet", "ما عنديش الصور"): whole folded words of documents.yml, any language.

Sentence-level matching rather than a CRF entity: the names are a closed list the catalogue
already holds in three languages, and a match needs no retraining when a document is added
(see docs/decisions/ on the choice).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.catalogue.models import Document
from bot.locales import languages, unspaced_scripts
from bot.text import clauses, fold, spaced_out

_SEPARATORS = re.compile(r"[^\w']+")


def _folded(text: str) -> str:
    """Folded, each letter of a language written without spaces a word of its own: « 我没有照片 »
    (I have no photos) is « 我 没 有 照 片 », where « 没 有 » and « 照 片 » are found; unspaced, no
    Chinese document or lack was ever read (session 28)."""
    return spaced_out(fold(text), unspaced_scripts())


def _tokens(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w]+", _folded(text)) if w]


def _phrases(key: str) -> frozenset[tuple[str, ...]]:
    """The `words.<key>` of every declared language, as folded word sequences."""
    return frozenset(
        tuple(_tokens(s)) for lang in languages() for s in lang.words.get(key, ()) if _tokens(s)
    )


_HAVE = _phrases("have")
_LACK = _phrases("lack")
_GET = _phrases("get")


def _says(words: list[str], phrases: frozenset[tuple[str, ...]]) -> bool:
    return any(
        tuple(words[i : i + len(p)]) == p for p in phrases for i in range(len(words) - len(p) + 1)
    )


def says_lacking(text: str) -> bool:
    """Whether the text has a word of lacking ("pas", "sauf", "إلا", "except")."""
    return any(_says(_tokens(clause), _LACK) for clause in clauses(text))


def asks_how_to_get(text: str) -> bool:
    """Whether the text asks where or how to get something ("où acheter", "where can I buy",
    « فين نشريه »): of a document it names, the answer is its `how_to_get`."""
    return _says(_tokens(text), _GET)


def documents_named(text: str, documents: Iterable[Document]) -> tuple[Document, ...]:
    """The documents `text` names, in the order it names them; longer names first, so
    "récépissé de plainte" is the loss report and not the récépissé."""
    folded = f" {_SEPARATORS.sub(' ', _folded(text))} "
    by_word = {word: document for document in documents for word in document.words}
    found: dict[str, tuple[int, Document]] = {}
    for word in sorted(by_word, key=len, reverse=True):
        pattern = re.compile(
            rf"(?<!\w){re.escape(_SEPARATORS.sub(' ', _folded(word)).strip())}(?!\w)"
        )
        match = pattern.search(folded)
        if match is None:
            continue
        document = by_word[word]
        found.setdefault(document.code, (match.start(), document))
        # Blank the match out: a shorter name inside it must not count again.
        folded = folded[: match.start()] + " " * len(match.group()) + folded[match.end() :]
    return tuple(document for _, document in sorted(found.values(), key=lambda f: f[0]))


def documents_lacking(text: str, documents: Iterable[Document]) -> tuple[Document, ...]:
    """The documents `text` says are missing: those it names, but for those of a clause that
    says the person has them ("j'ai le passeport, pas encore les photos": the photos). A
    Darija "I have the passport and the bill, the photos not yet" listed the passport as
    missing, and booking waited for it (session 25)."""
    documents = tuple(documents)
    named = documents_named(text, documents)
    had: set[str] = set()
    for clause in clauses(text):
        words = _tokens(clause)
        if _says(words, _HAVE) and not _says(words, _LACK):
            had.update(d.code for d in documents_named(clause, documents))
    return tuple(d for d in named if d.code not in had)
