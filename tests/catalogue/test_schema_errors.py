"""A bad catalogue file fails at load time with the file, the key and the reason."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.catalogue import CatalogueError, load_catalogue
from bot.catalogue.loader import CATALOGUE_DIR

Data = dict[str, Any]


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, target)
    return target


def _edit(directory: Path, name: str, change: Callable[[Data], None]) -> None:
    path = directory / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _demarche(code: str) -> Callable[[Data], Data]:
    return lambda data: data["demarches"][code]


CASES: list[tuple[str, str, Callable[[Data], None], str, str]] = [
    (
        "missing language",
        "demarches.yml",
        lambda d: _demarche("naturalisation")(d)["name"].pop("ar"),
        "demarches.naturalisation.name",
        "missing key 'ar'",
    ),
    (
        "empty text",
        "demarches.yml",
        lambda d: _demarche("carte_grise")(d)["summary"].update(en="  "),
        "demarches.carte_grise.summary.en",
        "expected a non-empty string",
    ),
    (
        "unknown source",
        "documents.yml",
        lambda d: d["documents"]["photos"].update(source="wikipedia.org"),
        "documents.photos.source",
        "unknown source 'wikipedia.org'",
    ),
    (
        "unknown source in a list",
        "demarches.yml",
        lambda d: _demarche("naturalisation")(d)["sources"].append("natali.fr"),
        "demarches.naturalisation.sources[2]",
        "unknown source 'natali.fr'",
    ),
    (
        "official site given as a page address",
        "demarches.yml",
        lambda d: _demarche("naturalisation")(d)["sources"].append(
            "https://www.gouv.example/natali"
        ),
        "demarches.naturalisation.sources[2]",
        "unknown source",
    ),
    (
        "invented fact without demo flag",
        "sites.yml",
        lambda d: (
            d["sites"]["pref-93"]["pan"].pop("source") and d["sites"]["pref-93"]["pan"].pop("demo")
        ),
        "sites.pref-93.pan",
        "no source",
    ),
    (
        "SMS label too long",
        "documents.yml",
        lambda d: d["documents"]["photos"]["label"].update(
            fr="Photos d'identité récentes au format officiel"
        ),
        "documents.photos.label.fr",
        "at most 40 allowed",
    ),
    (
        "unknown document",
        "demarches.yml",
        lambda d: _demarche("carte_resident_renouvellement")(d)["documents"][0].update(
            ref="titre_actual"
        ),
        "demarches.carte_resident_renouvellement.documents[0].ref",
        "'titre_actual' is not one of",
    ),
    (
        "typo in a key",
        "demarches.yml",
        lambda d: _demarche("carte_grise")(d).update(sumary="x"),
        "demarches.carte_grise",
        "unknown key(s) sumary",
    ),
    (
        "booking rules on an online démarche",
        "demarches.yml",
        lambda d: _demarche("naturalisation")(d).update(
            booking={
                "slot_minutes": 20,
                "horizon_days": 60,
                "needs_numero_etranger": False,
                "demo": True,
            }
        ),
        "demarches.naturalisation.booking",
        "a prefecture_rdv démarche needs booking rules",
    ),
    (
        "unknown where",
        "demarches.yml",
        lambda d: _demarche("carte_grise")(d).update(where="mairie"),
        "demarches.carte_grise.where",
        "'mairie' is not one of",
    ),
    (
        "unknown deadline rule",
        "demarches.yml",
        lambda d: _demarche("recepisse_renouvellement")(d).update(deadline="one_month"),
        "demarches.recepisse_renouvellement.deadline",
        "'one_month' is not one of",
    ),
    (
        "routing value that does not exist",
        "demarches.yml",
        lambda d: _demarche("carte_grise")(d)["selects"].update(topic=["car"]),
        "demarches.carte_grise.selects.topic",
        "'car' is not a value of topic",
    ),
    (
        "window closing before it opens",
        "deadlines.yml",
        lambda d: d["deadlines"]["anef_renewal"].update(closes={"days": 150}),
        "deadlines.anef_renewal.closes",
        "closes before it opens",
    ),
    (
        "online démarche listed as bookable at a site",
        "sites.yml",
        lambda d: d["sites"]["pref-38"]["demarches"].append("etudiant_renouvellement"),
        "sites.pref-38.demarches[8]",
        "is not booked at a préfecture (anef)",
    ),
    (
        "bad clock time",
        "sites.yml",
        lambda d: d["sites"]["pref-38"]["services"][0]["hours"][0].update(start="9h"),
        "sites.pref-38.services[0].hours[0].start",
        'expected a time "HH:MM"',
    ),
    (
        "hours ending before they start",
        "sites.yml",
        lambda d: d["sites"]["pref-24"]["opening_ranges"][0].update(end="13:00"),
        "sites.pref-24.opening_ranges[0].end",
        "not after its start",
    ),
    (
        "bookable démarche without an opening range",
        "sites.yml",
        lambda d: d["sites"]["pref-24"].update(
            opening_ranges=d["sites"]["pref-24"]["opening_ranges"][1:]
        ),
        "sites.pref-24.opening_ranges",
        "no plage d'ouverture for carte_resident_renouvellement",
    ),
    (
        "question option without a sentence",
        "routing.yml",
        lambda d: d["questions"][0]["options"][0].update(label="sejour_label"),
        "questions[0].options[0].label",
        "'sejour_label' is not one of",
    ),
    (
        "unknown département",
        "sites.yml",
        lambda d: d["sites"]["pref-38"].update(departement="380"),
        "sites.pref-38.departement",
        "'380' is not one of",
    ),
]


@pytest.mark.parametrize(
    ("case", "file", "change", "key", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_file_names_file_key_and_reason(
    tmp_path: Path, case: str, file: str, change: Callable[[Data], None], key: str, reason: str
) -> None:
    directory = _copy(tmp_path)
    _edit(directory, file, change)
    with pytest.raises(CatalogueError) as error:
        load_catalogue(directory)
    assert (error.value.file, error.value.key) == (file, key), str(error.value)
    assert reason in error.value.reason
    assert str(error.value).startswith(f"{file}: {key}: ")


def test_unreadable_yaml(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "documents.yml").write_text("documents:\n  photos: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"^documents\.yml: <root>: not valid YAML"):
        load_catalogue(directory)


def test_missing_file(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "deadlines.yml").unlink()
    with pytest.raises(CatalogueError, match=r"^deadlines\.yml: <root>: file missing"):
        load_catalogue(directory)


def test_the_shipped_catalogue_loads_from_a_copy(tmp_path: Path) -> None:
    catalogue = load_catalogue(_copy(tmp_path))
    assert len(catalogue.demarches) == 13
