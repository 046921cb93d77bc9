"""One language, one set of files: a declared language has every part; a draft says what it lacks.

`pytest -rs tests/i18n/test_languages.py` lists, for each draft folder of locales/, the parts it
still needs before it may be declared in locales/languages.yml (README, "Add a language").
"""

from __future__ import annotations

import pytest
import yaml

from bot.i18n import LANGUAGE_NAMES, RTL_LANGUAGES, SUPPORTED_LANGUAGES
from bot.locales import LOCALES_DIR, all_languages, declared_codes, languages
from tests.i18n.completeness import missing_parts, translations

ALL = all_languages()
DECLARED = declared_codes()
DRAFTS = sorted(set(ALL) - set(DECLARED))


def _report(parts: dict[str, list[str]]) -> str:
    return "; ".join(f"{part}: {len(p)} ({p[0]}…)" for part, p in parts.items())


@pytest.mark.parametrize("code", DECLARED)
def test_a_declared_language_has_every_part(code: str) -> None:
    parts = missing_parts(ALL[code])
    assert not parts, f"{code} is declared but incomplete: {_report(parts)}"


def test_what_the_code_reads_is_what_is_declared() -> None:
    assert SUPPORTED_LANGUAGES == DECLARED
    assert SUPPORTED_LANGUAGES[0] == "fr"
    assert {lang.code: lang.name for lang in languages()} == LANGUAGE_NAMES
    assert {lang.code for lang in languages() if lang.rtl} == RTL_LANGUAGES


@pytest.mark.parametrize("code", DRAFTS)
def test_a_draft_is_well_formed_and_says_what_it_lacks(code: str) -> None:
    lang = ALL[code]
    assert lang.review == "machine" or lang.review == "native"
    # What a draft already has must be right: no placeholder changed in a translated sentence.
    assert not [p for p in translations(lang) if p.startswith("placeholders")]
    parts = missing_parts(lang)
    if parts:
        pytest.skip(f"draft {code}: {_report(parts)}")


def test_the_rasa_language_slot_takes_every_declared_language() -> None:
    """domain/core.yml cannot read the registry: its categorical `language` slot lists the
    declared codes (in order), then the drafts the NLU data can already name."""
    domain = yaml.safe_load((LOCALES_DIR.parent / "domain" / "core.yml").read_text("utf-8"))
    values = tuple(domain["slots"]["language"]["values"])
    assert values[: len(DECLARED)] == DECLARED
    assert set(values) <= set(ALL)
