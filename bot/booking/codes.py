"""Convocation codes: short, readable aloud, typo-proof.

Seven random characters from a 31-character alphabet without 0/O/1/I/L, then one check
character chosen so that sum(position × value) ≡ 0 (mod 31). 31 is prime and the weights are
distinct, so every single-character error and every swap of two neighbours is caught.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BODY_LENGTH = 7
CODE_LENGTH = BODY_LENGTH + 1
_INDEX = {c: i for i, c in enumerate(ALPHABET)}


def _weighted_sum(chars: str) -> int:
    return sum(weight * _INDEX[c] for weight, c in enumerate(chars, start=1))


def _check_character(body: str) -> str:
    n = len(ALPHABET)
    # Solve CODE_LENGTH × check ≡ −sum (mod n) with the modular inverse (n is prime).
    inverse = pow(CODE_LENGTH, -1, n)
    return ALPHABET[(-_weighted_sum(body) * inverse) % n]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + _check_character(body)


def normalise_code(raw: str) -> str:
    """Accepts 'abcd-efgh', ' ABCD EFGH ' → 'ABCDEFGH'."""
    return "".join(c for c in (raw or "").upper() if c not in " -.\t")[:64]


def is_well_formed(code: str) -> bool:
    if len(code) != CODE_LENGTH or any(c not in _INDEX for c in code):
        return False
    return _check_character(code[:BODY_LENGTH]) == code[BODY_LENGTH]


def display_code(code: str) -> str:
    """'ABCDEFGH' → 'ABCD-EFGH', easier to read over the phone."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code
