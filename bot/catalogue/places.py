"""From what a person types ("38", "isere", "Grenoble", "38000", "بوبيني") to a département and
the demo préfecture sites there. Accent-free, case-free; an empty list means "no demo préfecture"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.catalogue.loader import get_catalogue
from bot.catalogue.models import Catalogue, Departement, Site
from bot.locales import unspaced_scripts
from bot.text import fold, spaced_out

_NON_WORD = re.compile(r"[^\w]+")
_POSTAL = re.compile(r"\b(\d{2}) ?(\d{3})\b")
_CODE = re.compile(r"^(?:(?:departement|dept|dep|dpt)\s+)?(\d{1,3}|2a|2b)$")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
# Free text longer than this is a sentence, not a place: words like "lot", "var" or "cher"
# would match by accident.
_MAX_WORDS_FOR_SEARCH = 8


def place_key(text: str) -> str:
    """Folded, single-spaced words, abbreviations expanded ("St-Étienne" → "saint etienne");
    a language written without spaces has a word per letter ("格勒诺布尔" → "格 勒 诺 布 尔"), so a
    name is found inside a sentence ("我住在格勒诺布尔")."""
    folded = spaced_out(fold(text), unspaced_scripts())
    words = _NON_WORD.sub(" ", folded.replace("_", " ")).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


@dataclass(frozen=True)
class _Index:
    names: dict[str, frozenset[str]]  # place_key(name) → département codes
    longest_first: tuple[str, ...]


_INDEXES: dict[int, tuple[Catalogue, _Index]] = {}


def _index(catalogue: Catalogue) -> _Index:
    cached = _INDEXES.get(id(catalogue))
    if cached is not None and cached[0] is catalogue:
        return cached[1]
    names: dict[str, set[str]] = {}
    for dep in catalogue.departements.values():
        for name in (dep.name, dep.prefecture, *dep.aliases):
            names.setdefault(place_key(name), set()).add(dep.code)
    for site in catalogue.sites.values():
        for name in (site.city, site.name, *site.aliases):
            names.setdefault(place_key(name), set()).add(site.departement)
    frozen = {name: frozenset(codes) for name, codes in names.items() if name}
    index = _Index(frozen, tuple(sorted(frozen, key=len, reverse=True)))
    _INDEXES[id(catalogue)] = (catalogue, index)
    return index


def place_names(catalogue: Catalogue | None = None) -> dict[str, frozenset[str]]:
    """Every place name the catalogue knows (place_key form) → its département codes."""
    return _index(catalogue or get_catalogue()).names


def departement_of_postal_code(
    postal_code: str, catalogue: Catalogue | None = None
) -> Departement | None:
    catalogue = catalogue or get_catalogue()
    digits = postal_code.replace(" ", "")
    if len(digits) != 5 or not digits.isdigit():
        return None
    if digits.startswith("97"):
        code = digits[:3]
    elif digits.startswith("20"):
        # Corsica shares "20": 200xx-201xx is Corse-du-Sud, 202xx-206xx Haute-Corse.
        code = "2A" if int(digits) < 20200 else "2B"
    else:
        code = digits[:2]
    return catalogue.departements.get(code)


def resolve_departements(text: str, catalogue: Catalogue | None = None) -> list[Departement]:
    """Every département the text may designate, most specific reading first."""
    catalogue = catalogue or get_catalogue()
    folded = place_key(text)
    if not folded:
        return []
    postal = _POSTAL.search(folded)
    if postal:
        found = departement_of_postal_code(postal.group(1) + postal.group(2), catalogue)
        return [found] if found else []
    code = _CODE.match(folded)
    if code:
        raw = code.group(1).upper()
        found = catalogue.departements.get(raw.zfill(2) if raw.isdigit() else raw)
        return [found] if found else []
    index = _index(catalogue)
    exact = index.names.get(folded)
    if exact:
        return _ordered(exact, catalogue)
    if len(folded.split()) > _MAX_WORDS_FOR_SEARCH:
        return []
    codes: list[str] = []
    remaining = f" {folded} "
    for name in index.longest_first:
        needle = f" {name} "
        if needle in remaining:
            # Blank the match so "saint denis" inside "seine saint denis" is not read twice.
            remaining = remaining.replace(needle, " | ")
            codes.extend(c for c in sorted(index.names[name]) if c not in codes)
    return [catalogue.departements[c] for c in codes]


def resolve_departement(text: str, catalogue: Catalogue | None = None) -> Departement | None:
    """The département when the text designates exactly one, else None."""
    found = resolve_departements(text, catalogue)
    return found[0] if len(found) == 1 else None


def resolve_site(text: str, catalogue: Catalogue | None = None) -> list[Site]:
    """The demo préfecture sites for what the person typed; [] = no demo préfecture there."""
    catalogue = catalogue or get_catalogue()
    codes = [d.code for d in resolve_departements(text, catalogue)]
    return [site for code in codes for site in catalogue.sites.values() if site.departement == code]


def _ordered(codes: frozenset[str], catalogue: Catalogue) -> list[Departement]:
    return [catalogue.departements[c] for c in sorted(codes)]
