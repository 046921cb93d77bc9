"""Finding a site from what a person types: a département number or name, a postal code, a
city. Pure (works on any objects with the Site attributes), accent- and case-insensitive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

from bot.text import fold


class SiteLike(Protocol):
    code: str
    departement: str
    departement_name: str
    city: str
    postal_codes: list[str]


S = TypeVar("S", bound=SiteLike)

_DEPARTEMENT = re.compile(r"^(?:0?[1-9]|[1-8]\d|9[0-5]|2a|2b|97[1-6])$")
_POSTAL_CODE = re.compile(r"^\d{5}$")


def _words(text: str) -> str:
    """'Seine-Saint-Denis ' → 'seine saint denis': folded, ASCII letters and digits only."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text or "")).split())


def _departement_of_postal_code(postal_code: str) -> str:
    if postal_code.startswith("97"):
        return postal_code[:3]
    if postal_code.startswith("20"):
        # Corsica: 200xx-201xx is Corse-du-Sud, 202xx-206xx Haute-Corse.
        return "2A" if postal_code[2] in "01" else "2B"
    return postal_code[:2]


def resolve_sites(query: str, sites: Sequence[S]) -> list[S]:
    """Every site the text may mean, best first; empty when nothing matches."""
    text = _words(query)[:100]
    if not text:
        return []
    compact = text.replace(" ", "")
    if _POSTAL_CODE.match(compact):
        exact = [s for s in sites if compact in s.postal_codes]
        if exact:
            return exact
        dep = _departement_of_postal_code(compact)
        return [s for s in sites if s.departement.upper() == dep.upper()]
    if _DEPARTEMENT.match(compact):
        dep = compact.upper().lstrip("0") if compact.isdigit() else compact.upper()
        return [s for s in sites if s.departement.upper().lstrip("0") == dep]
    words = [
        w
        for w in text.split()
        if w not in {"la", "le", "les", "de", "du", "des", "l", "d", "en", "a"}
    ]
    if not words:
        return []
    needle = " ".join(words)
    exact = [s for s in sites if needle in (_words(s.city), _words(s.departement_name))]
    if exact:
        return exact
    return [s for s in sites if needle in _words(s.city) or needle in _words(s.departement_name)]
