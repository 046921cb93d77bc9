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
from bot.text import fold

_SEPARATORS = re.compile(r"[^\w']+")


def documents_named(text: str, documents: Iterable[Document]) -> tuple[Document, ...]:
    """The documents `text` names, in the order it names them; longer names first, so
    "récépissé de plainte" is the loss report and not the récépissé."""
    folded = f" {_SEPARATORS.sub(' ', fold(text))} "
    by_word = {word: document for document in documents for word in document.words}
    found: dict[str, tuple[int, Document]] = {}
    for word in sorted(by_word, key=len, reverse=True):
        pattern = re.compile(rf"(?<!\w){re.escape(_SEPARATORS.sub(' ', word))}(?!\w)")
        match = pattern.search(folded)
        if match is None:
            continue
        document = by_word[word]
        found.setdefault(document.code, (match.start(), document))
        # Blank the match out: a shorter name inside it must not count again.
        folded = folded[: match.start()] + " " * len(match.group()) + folded[match.end() :]
    return tuple(document for _, document in sorted(found.values(), key=lambda f: f[0]))
