"""GSM 03.38 alphabet, French/English folding into it, and SMS segment arithmetic.

A GSM-7 segment holds 160 septets alone or 153 when concatenated (the UDH takes 7 bytes);
a UCS-2 segment holds 70 UTF-16 code units alone or 67 concatenated. Extension characters
cost two septets (escape + char) and an escape pair, like a surrogate pair, is never split
across two segments — carriers' encoders behave that way and so must our counts.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# The 127 printable characters of the default alphabet (ESC 0x1B excluded).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Reached through the escape character: each costs two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_GSM7 = 160
MULTI_GSM7 = 153
SINGLE_UCS2 = 70
MULTI_UCS2 = 67

# French typography outside GSM-7, mapped to what a basic phone shows; é è à ù are GSM-7.
FOLDING: dict[str, str] = {
    "ê": "e",
    "ë": "e",
    "â": "a",
    "î": "i",
    "ï": "i",
    "ô": "o",
    "û": "u",
    "ç": "c",
    "œ": "oe",
    "Œ": "OE",
    "À": "A",
    "Â": "A",
    "È": "E",
    "Ê": "E",
    "Ë": "E",
    "Î": "I",
    "Ï": "I",
    "Ô": "O",
    "Ù": "U",
    "Û": "U",
    "Ÿ": "Y",
    "ÿ": "y",
    "’": "'",
    "‘": "'",
    "‚": "'",
    "ʼ": "'",
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "„": '"',
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u2007": " ",
    "–": "-",
    "—": "-",
    "‑": "-",
    "…": "...",
    "•": "-",
    "·": ".",
}
# Folding a guillemet keeps its inner non-breaking space; "« oui »" must become "\"oui\"".
_GUILLEMET_SPACES = (
    ("«\u00a0", "«"),
    ("«\u202f", "«"),
    ("« ", "«"),
    ("\u00a0»", "»"),
    ("\u202f»", "»"),
    (" »", "»"),
)


def septets(char: str) -> int | None:
    """Septets a character costs in GSM-7, or None when it is not in the alphabet."""
    if char in GSM7_BASIC:
        return 1
    if char in GSM7_EXTENSION:
        return 2
    return None


def is_gsm7(text: str) -> bool:
    return all(septets(c) is not None for c in text)


def fold_to_gsm7(text: str) -> str:
    """Folds French/English text into GSM-7 where a reader loses nothing.

    Characters the map does not know are decomposed (NFKD) and stripped of their accents
    when that lands in the alphabet; anything else (emoji, Arabic) is left alone, and the
    message then simply goes out as UCS-2.
    """
    for before, after in _GUILLEMET_SPACES:
        text = text.replace(before, after)
    out: list[str] = []
    for char in text:
        if septets(char) is not None:
            out.append(char)
            continue
        folded = FOLDING.get(char)
        if folded is None:
            stripped = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            folded = stripped if stripped and is_gsm7(stripped) else char
        out.append(folded)
    return "".join(out)


def encoding_of(text: str) -> Encoding:
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def _units(text: str, encoding: Encoding) -> list[int]:
    """Cost of each indivisible unit: a septet count, or UTF-16 code units per code point."""
    if encoding == "GSM-7":
        return [septets(c) or 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def split_segments(text: str) -> list[str]:
    """The segments a carrier would send, never splitting an escape or surrogate pair."""
    encoding = encoding_of(text)
    units = _units(text, encoding)
    single, multi = (SINGLE_GSM7, MULTI_GSM7) if encoding == "GSM-7" else (SINGLE_UCS2, MULTI_UCS2)
    if sum(units) <= single:
        return [text] if text else []
    segments: list[str] = []
    start, used = 0, 0
    for index, cost in enumerate(units):
        if used + cost > multi:
            segments.append(text[start:index])
            start, used = index, 0
        used += cost
    segments.append(text[start:])
    return segments


@dataclass(frozen=True)
class SmsInfo:
    encoding: Encoding
    segments: int
    units: int


def sms_info(text: str) -> SmsInfo:
    encoding = encoding_of(text)
    return SmsInfo(encoding, max(1, len(split_segments(text))), sum(_units(text, encoding)))


def fits(text: str, max_segments: int) -> bool:
    return len(split_segments(text)) <= max_segments
