"""gettext lookup: translations, the visible French fallback, and formatting that never crashes."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

import bot.i18n as i18n
from bot.i18n import (
    N_,
    NP_,
    has_translation,
    normalise_language,
    safe_format,
    translate,
    translate_plural,
)

CHOOSE = N_("Choisissez votre langue :")


@pytest.fixture
def fresh_catalogues() -> Iterator[None]:
    i18n.reload_translations()
    yield
    i18n.reload_translations()


@pytest.fixture
def private_locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A locales/ directory of our own, with one English sentence, as a .po only."""
    catalog = Catalog(locale="en", domain=i18n.DOMAIN)
    catalog.add("Bonjour {name}", "Hello {name}")
    catalog.add("Phrase douteuse", "Dubious sentence", flags=["fuzzy"])
    po = tmp_path / "en" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as handle:
        write_po(handle, catalog)
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.reload_translations()
    yield tmp_path
    i18n.reload_translations()


def test_translates_into_english_and_arabic(fresh_catalogues: None) -> None:
    assert translate(CHOOSE, "en") == "Choose your language:"
    assert translate(CHOOSE, "ar") == "اختر لغتك:"
    assert translate(CHOOSE, "fr") == CHOOSE


def test_language_codes_are_normalised() -> None:
    assert normalise_language("en-GB") == "en"
    assert normalise_language("AR") == "ar"
    assert normalise_language("de") == "fr"
    assert normalise_language(None) == "fr"


def test_missing_translation_falls_back_to_french_visibly(
    fresh_catalogues: None, caplog: pytest.LogCaptureFixture
) -> None:
    sentence = "Une phrase que personne n'a encore traduite."
    with caplog.at_level(logging.WARNING, logger="bot.i18n"):
        assert translate(sentence, "ar") == sentence
        assert translate(sentence, "ar") == sentence
    warnings = [r for r in caplog.records if "no ar translation" in r.getMessage()]
    assert len(warnings) == 1, "warn once per sentence, not on every message"
    assert not has_translation(sentence, "en")
    assert has_translation(CHOOSE, "en")


def test_a_stale_or_missing_mo_is_replaced_by_the_po(
    private_locales: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.i18n"):
        assert translate("Bonjour {name}", "en", name="Awa") == "Hello Awa"
    assert any("make i18n-compile" in r.getMessage() for r in caplog.records)
    # Fuzzy means "a translator must check this": not shown, like pybabel compile.
    assert translate("Phrase douteuse", "en") == "Phrase douteuse"


def test_a_fresh_mo_is_used(private_locales: Path) -> None:
    po = private_locales / "en" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    mo = po.with_suffix(".mo")
    catalog = Catalog(locale="en", domain=i18n.DOMAIN)
    catalog.add("Bonjour {name}", "Hi from the mo, {name}")
    with mo.open("wb") as handle:
        write_mo(handle, catalog)
    later = po.stat().st_mtime + 10
    os.utime(mo, (later, later))
    assert translate("Bonjour {name}", "en", name="Awa") == "Hi from the mo, Awa"


def test_a_missing_language_catalogue_shows_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.reload_translations()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.i18n"):
            assert translate(CHOOSE, "ar") == CHOOSE
        assert any("no catalogue" in r.getMessage() for r in caplog.records)
    finally:
        i18n.reload_translations()


def test_the_committed_po_matches_what_make_compiles(tmp_path: Path) -> None:
    """The .po read in memory gives the same sentences as the .mo pybabel would compile."""
    shutil.copytree(i18n.LOCALES_DIR, tmp_path / "locales")
    po = tmp_path / "locales" / "ar" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    in_memory = i18n._translations_from_po(po)
    assert in_memory.gettext(CHOOSE) == "اختر لغتك:"


def test_missing_parameters_show_as_brackets_and_warn(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.i18n"):
        text = safe_format("Rendez-vous le {date} à {site.name}, code {code:>8}", {"date": "lundi"})
    assert text == "Rendez-vous le lundi à [site], code [code]"
    assert sum("missing" in r.getMessage() for r in caplog.records) == 2


def test_a_broken_template_is_shown_raw_instead_of_crashing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.i18n"):
        assert safe_format("Accolade { ouverte", {"x": 1}) == "Accolade { ouverte"
    assert caplog.records


def test_translate_fills_parameters(fresh_catalogues: None) -> None:
    assert translate("Répondez par un numéro de 1 à {count}.", "fr", count=3).endswith("3.")


RESULTS = NP_("Une recherche à {site}", "{count} recherches à {site}")
# In the order of our Arabic catalogue's Plural-Forms header, which translators fill:
# (n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100 in 3..10 ? 3 : n%100 in 0..2 ? 4 : 5).
# Babel's own default for a new Arabic catalogue swaps forms 4 and 5 since babel 2.19 (CLDR).
ARABIC_FORMS = (
    "لا بحث في {site}",  # 0
    "بحث واحد في {site}",  # 1
    "بحثان في {site}",  # 2
    "{count} عمليات بحث في {site}",  # 3-10, 103-110…
    "{count} عملية بحث في {site} (100+)",  # 100-102, 200-202…
    "{count} عملية بحث في {site}",  # 11-99, 111-199…
)


@pytest.fixture
def arabic_plurals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with i18n.po_path("ar").open("rb") as handle:
        catalog = read_po(handle, locale="ar", domain=i18n.DOMAIN)
    catalog.add(tuple(RESULTS), ARABIC_FORMS)
    mo = tmp_path / "ar" / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    mo.parent.mkdir(parents=True)
    with mo.open("wb") as handle:
        write_mo(handle, catalog)
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.reload_translations()
    yield
    i18n.reload_translations()


@pytest.mark.parametrize(
    ("count", "form"),
    [(0, 0), (1, 1), (2, 2), (3, 3), (10, 3), (11, 5), (99, 5), (100, 4), (103, 3)],
)
def test_arabic_takes_the_plural_form_its_grammar_needs(
    arabic_plurals: None, count: int, form: int
) -> None:
    expected = ARABIC_FORMS[form].format(count=count, site="Grenoble")
    assert translate_plural(RESULTS, count, "ar", site="Grenoble") == expected


def test_french_plural_and_fallback(
    fresh_catalogues: None, caplog: pytest.LogCaptureFixture
) -> None:
    assert translate_plural(RESULTS, 1, "fr", site="Bobigny") == "Une recherche à Bobigny"
    assert translate_plural(RESULTS, 0, "fr", site="Bobigny") == "Une recherche à Bobigny"
    assert translate_plural(RESULTS, 3, "fr", site="Bobigny") == "3 recherches à Bobigny"
    with caplog.at_level(logging.WARNING, logger="bot.i18n"):
        assert translate_plural(RESULTS, 3, "en", site="Bobigny") == "3 recherches à Bobigny"
    assert caplog.records
