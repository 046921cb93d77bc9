"""Gates on the real Rasa 3.6.21 (in .venv-rasa): the project validates with no warning, and the
test stories (every capability, in fr, en and ar) are predicted exactly by the trained model.

The model is the one `make train` (run by `make test`) left in models/ when nothing changed since;
otherwise `rasa train` trains it there, as `make train` does.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.support.stack import up_to_date_model

RASA = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
TRAINING = [
    "--config",
    "config.yml",
    "--domain",
    "domain",
    "--data",
    "data/nlu",
    "data/rules.yml",
    "data/stories.yml",
]
STORIES = PROJECT_ROOT / "tests" / "stories"

pytestmark = pytest.mark.rasa


def rasa(*args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    if not RASA.exists():
        pytest.fail(f"{RASA} is missing: run `make .venv-rasa/.installed`")
    return subprocess.run(
        [str(RASA), *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(Path.home()),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
        },
    )


@pytest.fixture(scope="session")
def model() -> Path:
    trained = up_to_date_model()
    if trained is not None:
        return trained
    started = time.monotonic()
    result = rasa("train", *TRAINING, "--out", "models")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    print(f"rasa train (or fingerprint reuse): {time.monotonic() - started:.0f} s")
    return max((PROJECT_ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)


def test_project_validates_without_a_single_warning():
    result = rasa("data", "validate", *TRAINING, "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_every_story_in_every_language_is_predicted_exactly(model: Path, tmp_path: Path):
    result = rasa(
        "test", "core", "--model", str(model), "--stories", str(STORIES), "--out", str(tmp_path)
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    failed = tmp_path / "failed_test_stories.yml"
    report = json.loads((tmp_path / "story_report.json").read_text())
    languages = {path.stem.removeprefix("test_") for path in STORIES.glob("test_*.yml")}
    assert languages == {"fr", "en", "ar"}
    assert report["conversation_accuracy"]["accuracy"] == 1.0, (
        failed.read_text() if failed.exists() else report
    )
