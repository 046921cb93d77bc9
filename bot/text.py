"""Folding what people type before comparing it: one `fold`, one digit table, for every caller.

Pure core. Callers that also need words separated or abbreviations expanded do it on top of
`fold` (catalogue places, site search); nobody folds text another way.
"""

from __future__ import annotations

import unicodedata

# Arabic-Indic (٠-٩) and Persian (۰-۹) digits: phone keyboards send both.
DIGITS: dict[int, str] = {0x0660 + i: str(i) for i in range(10)} | {
    0x06F0 + i: str(i) for i in range(10)
}
# Harakat and hamza seats go with the accents (NFKD); these letters have spelling variants
# people mix freely, and the tatweel only stretches a word.
_ARABIC_VARIANTS: dict[int, str | None] = {
    ord("ى"): "ي",
    ord("ة"): "ه",
    ord("ـ"): None,
    ord("’"): "'",
    ord("`"): "'",
}
_AFTER_DECOMPOSITION = DIGITS | _ARABIC_VARIANTS


def ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits made ASCII ("٠٦١٢" → "0612"); the rest unchanged."""
    return text.translate(DIGITS)


def fold(text: str) -> str:
    """Lower case, no accents, harakat or hamza seats, Arabic letter variants unified, ASCII digits.

    "Côte-d'Or" → "cote-d'or", "الثلاثاء" stays, "مساعدة" → "مساعده", "١٥" → "15".
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.translate(_AFTER_DECOMPOSITION)
