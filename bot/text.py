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
    # Persian keyboards type ی and ک, Arabic ones ي and ك: Dari written on an Arabic keyboard
    # (or Arabic on a Persian one) is the same word.
    ord("ی"): "ي",
    ord("ک"): "ك",
    ord("ة"): "ه",
    ord("ـ"): None,
    ord("’"): "'",
    ord("`"): "'",
}
_AFTER_DECOMPOSITION = DIGITS | _ARABIC_VARIANTS


def ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits made ASCII ("٠٦١٢" → "0612"); the rest unchanged."""
    return text.translate(DIGITS)


def spaced_out(text: str, scripts: frozenset[str]) -> str:
    """Every letter of `scripts` (scripts written without spaces, bot.locales.unspaced_scripts)
    set apart as a word of its own: "3月15日下午" → "3 月 15 日 下 午 ". Readers that split on
    spaces then match a word of such a language as a run of letters (a phrase), longest first.
    Script names are Unicode's: the first word of a letter's name (CJK, LATIN)."""
    if not scripts or text.isascii():
        return text
    return "".join(f" {char} " if in_scripts(char, scripts) else char for char in text)


def joined_up(text: str, scripts: frozenset[str]) -> str:
    """The spaces `spaced_out` put beside the letters of `scripts` taken away again, to quote
    words as they are written: "下 午 3 点" → "下午3点"; other spaces stay ("mardi 3")."""
    if not scripts or text.isascii():
        return text
    kept = []
    for i, char in enumerate(text):
        if char == " " and (
            in_scripts(text[i - 1 : i], scripts) or in_scripts(text[i + 1 : i + 2], scripts)
        ):
            continue
        kept.append(char)
    return "".join(kept)


def in_scripts(char: str, scripts: frozenset[str]) -> bool:
    """Whether `char` is a letter of one of `scripts` (Unicode's names: CJK, LATIN…)."""
    return (
        bool(char)
        and unicodedata.category(char).startswith("L")
        and (unicodedata.name(char, "").split(" ", 1)[0] in scripts)
    )


def fold(text: str) -> str:
    """Lower case, no accents, harakat or hamza seats, Arabic letter variants unified (Persian ی ک
    as Arabic ي ك), ASCII digits.

    "Côte-d'Or" → "cote-d'or", "الثلاثاء" stays, "مساعدة" → "مساعده", "١٥" → "15".
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.translate(_AFTER_DECOMPOSITION)
