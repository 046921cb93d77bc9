"""The shipped catalogue: contract codes, complete languages, and a source for every fact."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest

from bot.catalogue import Localized, get_catalogue
from bot.catalogue.models import Provenance
from bot.i18n import SUPPORTED_LANGUAGES
from tests.support.skips import unavailable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = Path(os.environ.get("GUICHET_SEEDS_DIR") or PROJECT_ROOT.parent / "shared" / "seeds")
ARABIC = re.compile(r"[\u0600-\u06FF]")

CONTRACT_DEMARCHES = {
    "carte_resident_renouvellement": "prefecture_rdv",
    "conjoint_francais_renouvellement": "prefecture_rdv",
    "vpf_premiere_demande": "prefecture_rdv",
    "vpf_renouvellement": "prefecture_rdv",
    "admission_exceptionnelle": "prefecture_rdv",
    "etudiant_renouvellement": "anef",
    "passeport_talent": "anef",
    "naturalisation": "natali",
    "carte_grise": "ants",
    "commission_medicale_permis": "prefecture_rdv",
    "remise_titre": "walk_in",
    "duplicata_titre": "prefecture_rdv",
    "recepisse_renouvellement": "prefecture_rdv",
}
CONTRACT_SITES = {
    "pref-24": ("24", "Dordogne", "Périgueux"),
    "pref-38": ("38", "Isère", "Grenoble"),
    "pref-93": ("93", "Seine-Saint-Denis", "Bobigny"),
}


def walk(value: object, path: str = "catalogue") -> Iterator[tuple[str, object]]:
    """Every nested value of the catalogue, with a readable path for failure messages."""
    yield path, value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from walk(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


def test_contract_demarches_and_where() -> None:
    catalogue = get_catalogue()
    assert {code: d.where for code, d in catalogue.demarches.items()} == CONTRACT_DEMARCHES


@pytest.mark.parametrize("code", sorted(CONTRACT_DEMARCHES))
def test_demarche_contract_fields(code: str) -> None:
    demarche = get_catalogue().demarches[code]
    for lang in SUPPORTED_LANGUAGES:
        assert demarche.name(lang) and demarche.summary(lang)
    assert demarche.sources
    if demarche.where == "prefecture_rdv":
        assert demarche.booking is not None
        assert demarche.booking.slot_minutes > 0 and demarche.booking.horizon_days > 0
    else:
        assert demarche.booking is None


def test_booking_at_least_at_one_site_for_every_prefecture_demarche() -> None:
    catalogue = get_catalogue()
    bookable = {code for site in catalogue.sites.values() for code in site.demarches}
    expected = {c for c, where in CONTRACT_DEMARCHES.items() if where == "prefecture_rdv"}
    assert bookable == expected


@pytest.mark.parametrize("code", sorted(CONTRACT_SITES))
def test_site_contract_fields(code: str) -> None:
    site = get_catalogue().sites[code]
    departement, departement_name, city = CONTRACT_SITES[code]
    assert (site.departement, site.departement_name, site.city) == (
        departement,
        departement_name,
        city,
    )
    assert site.timezone == "Europe/Paris"
    assert site.postal_codes and all(p.startswith(departement) for p in site.postal_codes)
    assert site.address and site.pan.name
    for demarche in site.demarches:
        assert site.opening_ranges_for(demarche), f"{code}: no opening range for {demarche}"


def test_dordogne_schedules_from_the_seed() -> None:
    catalogue = get_catalogue()
    site = catalogue.sites["pref-24"]
    resident = site.opening_ranges_for("carte_resident_renouvellement")
    conjoint = site.opening_ranges_for("conjoint_francais_renouvellement")
    assert [(r.weekday, r.start, r.end) for r in resident] == [(1, time(14), time(16))]
    assert [(r.weekday, r.start, r.end) for r in conjoint] == [(3, time(14), time(16))]
    assert "000_e60855a9c543fb9c.txt" in resident[0].provenance.sources
    booking = catalogue.demarches["carte_resident_renouvellement"].booking
    assert booking is not None and (booking.slot_minutes, booking.horizon_days) == (20, 60)


def test_isere_overrides_from_the_seed() -> None:
    site = get_catalogue().sites["pref-38"]
    assert site.booking_mode == "request"
    (walk_in,) = [s for s in site.services if s.kind == "walk_in"]
    assert walk_in.demarches == ("remise_titre",)
    assert [(h.weekday, h.start, h.end) for h in walk_in.hours] == [
        (day, time(9), time(11)) for day in (0, 1, 2, 4)
    ]
    (campus,) = [s for s in site.services if s.kind == "campus_desk"]
    assert [(h.weekday, h.start, h.end) for h in campus.hours] == [
        (0, time(9, 30), time(15, 30)),
        (1, time(9, 30), time(15, 30)),
    ]
    (email,) = [s for s in site.services if s.kind == "email"]
    assert email.email == "pref-employeurs-etrangers@isere.gouv.fr"
    assert "work" in email.topics
    for service in (walk_in, campus, email):
        assert "003_178cd37891cfc463.txt" in service.provenance.sources
        assert not service.provenance.demo


def test_every_localized_text_is_complete_and_arabic_is_arabic() -> None:
    found = 0
    for path, value in walk(get_catalogue()):
        if isinstance(value, Localized):
            found += 1
            assert set(value.texts) == set(SUPPORTED_LANGUAGES), path
            for lang in SUPPORTED_LANGUAGES:
                assert value.texts[lang].strip(), f"{path}: empty {lang}"
            assert ARABIC.search(value.texts["ar"]), f"{path}: 'ar' has no Arabic script"
    assert found > 100


def test_sms_labels_are_short() -> None:
    for code, document in get_catalogue().documents.items():
        for lang in SUPPORTED_LANGUAGES:
            assert len(document.label(lang)) <= 40, (code, lang)


def test_every_fact_has_a_known_source_or_is_marked_demo() -> None:
    catalogue = get_catalogue()
    provenances = [(p, v) for p, v in walk(catalogue) if isinstance(v, Provenance)]
    assert len(provenances) > 50
    for path, provenance in provenances:
        assert provenance.sources or provenance.demo, path
        for source in provenance.sources:
            assert catalogue.sources.knows(source), (path, source)


def test_demarches_documents_and_deadlines_cite_a_real_source() -> None:
    """Not `demo`: a démarche, a document and a deadline are facts, never invented."""
    catalogue = get_catalogue()
    facts = [
        *(("demarche", d.code, d.provenance) for d in catalogue.demarches.values()),
        *(("where", d.code, d.where_detail.provenance) for d in catalogue.demarches.values()),
        *(("document", d.code, d.provenance) for d in catalogue.documents.values()),
        *(("deadline", r.code, r.provenance) for r in catalogue.deadlines.values()),
    ]
    for kind, code, provenance in facts:
        assert provenance.sources and not provenance.demo, (kind, code)


def test_cited_seed_files_exist() -> None:
    if not SEEDS_DIR.is_dir():
        unavailable(f"seed directory {SEEDS_DIR} missing (set GUICHET_SEEDS_DIR)")
    catalogue = get_catalogue()
    for name in catalogue.sources.seeds:
        assert (SEEDS_DIR / name).is_file(), name
    cited = {
        s
        for _, v in walk(catalogue)
        if isinstance(v, Provenance)
        for s in v.sources
        if s.endswith(".txt")
    }
    assert cited <= set(catalogue.sources.seeds)
    assert len(cited) >= 4


def test_departement_table_is_complete() -> None:
    departements = get_catalogue().departements
    assert len(departements) == 101
    assert departements["38"].name == "Isère" and departements["2A"].name == "Corse-du-Sud"
    assert departements["976"].name == "Mayotte"


def test_pure_core_imports_no_web_framework_and_no_database() -> None:
    code = (
        "import sys, bot.catalogue, bot.routing, bot.deadlines;"
        "bot.catalogue.get_catalogue();"
        "bad = {'fastapi', 'starlette', 'sqlalchemy', 'httpx', 'uvicorn', 'psycopg', 'rasa_sdk'};"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & bad);"
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
