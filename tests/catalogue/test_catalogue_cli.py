"""`guichet catalogue check|route|deadline`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.catalogue.loader import CATALOGUE_DIR
from bot.cli import main


def test_check_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalogue", "check"]) == 0
    assert "catalogue OK" in capsys.readouterr().out


def test_check_reports_file_key_and_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, directory)
    path = directory / "demarches.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("where: ants", "where: mairie"), encoding="utf-8"
    )
    assert main(["catalogue", "check", "--dir", str(directory)]) == 1
    out = capsys.readouterr().out
    assert "demarches.yml: demarches.carte_grise.where: 'mairie' is not one of" in out


def test_route_prints_numbered_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalogue", "route", "procedure_kind=renewal"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("question:") and "  3. " in out and "  4. " not in out


def test_deadline(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "catalogue",
        "deadline",
        "etudiant_renouvellement",
        "2026-06-29",
        "--today",
        "2026-05-01",
    ]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("late: window 2026-03-01 → 2026-04-30")
    assert main(["catalogue", "deadline", "naturalisation", "2026-06-29"]) == 1
