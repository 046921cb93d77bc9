"""Personal numbers in what people type — a phone, a numéro étranger — never stored in clear.

The gateway seals each one (bot.secrets) before it records the message (`seal_numbers`): the
stored text holds tokens. Rasa gets the text with a placeholder of the same shape in place of
each token, so that its model reads "a phone" or "a numéro étranger" as before, and the tokens in
the message metadata (`for_rasa`). The action server, which holds the key, reveals them in
memory only (`reveal`) and keeps sealed values in its slots. Pure: no I/O.
"""

from __future__ import annotations

import re

from bot.secrets import SEAL_PREFIX, seal, unseal

# A phone with its country code (+33 6…, 0044…, "+33 (0)6…"), or ten digits however people
# group them (06 12 34 56 78, 7501234567, 751 112 0001, "75 / 11 / 14 / 00 / 03", tabs):
# French phones and numéros étranger look alike but for the first digit (data/nlu/regex.yml),
# which `for_rasa` keeps apart. Only pairs and runs were sealed, so "7501 234 568" was stored
# in clear (an attacker's test, session 22): the gaps are what normalise_numero_etranger
# accepts. Glued to the word before ("tel+33611…"); never part of a longer run of digits nor
# followed by a letter (a date and its hour: "12/05/2026 10h").
# Commas, dashes of every width, brackets and the invisible marks an Arabic keyboard puts
# beside digits are gaps too: "06,12,34,56,78", "(06) 12…", "06–12…", "+1 (415) 555-2671" and
# "06\u200e12345678" were stored in clear (an attacker's test, session 30). So is a run of ten
# digits glued to a word after it ("0612345678svp"), which no date and hour write.
_GAP = r"[\s.,/()\-\u2010-\u2015\u2212\u200b-\u200f\u202a-\u202e\u2066-\u2069]{0,3}"
_TRUNK = r"(?:\s*\(0\)\s*)?"  # "+33 (0)6 …": the French trunk 0 written beside the code
NUMBER = re.compile(
    rf"(?<![\d+])(?:(?:(?:\+|00)\d\d?{_TRUNK}(?:{_GAP}\d){{7,13}}|\d(?:{_GAP}\d){{9}})"
    rf"(?!{_GAP}\d)(?!\w)|\d{{10}}(?!\d))"
)
_TOKEN_CHARACTERS = r"[A-Za-z0-9_-]"
SEALED = re.compile(re.escape(SEAL_PREFIX) + _TOKEN_CHARACTERS + "+")
_TOKEN_CHARACTER = re.compile(_TOKEN_CHARACTERS)
# What Rasa reads instead: a phone or a numéro étranger of its training data (data/nlu), whose
# last digit is the token's index; the model tags it as it tagged the real one (an all-zero
# placeholder read as a postal code).
_PHONE_PLACEHOLDER = "061234567"
_OTHER_PLACEHOLDER = "751234509"
_MAX_PLACEHOLDERS = 10
PLACEHOLDER = re.compile(rf"\b(?:{_PHONE_PLACEHOLDER}|{_OTHER_PLACEHOLDER})(\d)\b")

METADATA_KEY = "numbers"


def seal_numbers(text: str, key: str) -> str:
    """The text with every personal number sealed (what the gateway stores)."""

    def sealed(match: re.Match[str]) -> str:
        # A token glued to the word after it would take its letters for its own.
        glued = _TOKEN_CHARACTER.match(text, match.end()) is not None
        return seal(match.group(0), key) + (" " if glued else "")

    return NUMBER.sub(sealed, text)


def _looks_like_phone(number: str) -> bool:
    return number.startswith(("+", "0"))


def for_rasa(text: str, key: str) -> tuple[str, list[str]]:
    """The stored text as Rasa may record it (placeholders) and the tokens, in order."""
    tokens: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        if len(tokens) == _MAX_PLACEHOLDERS:
            return "…"  # nobody answers a question with eleven numbers
        token = match.group(0)
        value = unseal(token, key) or ""
        tokens.append(token)
        prefix = _PHONE_PLACEHOLDER if _looks_like_phone(value) else _OTHER_PLACEHOLDER
        return f"{prefix}{len(tokens) - 1}"

    return SEALED.sub(placeholder, text), tokens


def reveal(text: str, tokens: list[str], key: str) -> str:
    """Placeholders and tokens back to the numbers they stand for (in memory, never stored)."""

    def number(match: re.Match[str]) -> str:
        index = int(match.group(1))
        value = unseal(tokens[index], key) if index < len(tokens) else None
        return value if value is not None else match.group(0)

    text = PLACEHOLDER.sub(number, text)
    return SEALED.sub(lambda match: unseal(match.group(0), key) or match.group(0), text)
