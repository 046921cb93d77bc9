"""The NLU quality gate: train config.yml on data/nlu with the real Rasa (.venv-rasa), evaluate on
the held-out sets tests/nlu/{fr,en,ar}.yml, print the figures, and fail below intent macro-F1
0.90 in any language."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import unavailable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from nlu_eval import (  # noqa: E402
    GATE_MACRO_F1,
    LANGUAGES,
    RASA_VENV_BIN,
    evaluate,
    format_figures,
    train_nlu,
)

# Entities matter less than intents for routing (the actions re-ask a missing value), but a
# collapse of the extractor must still stop the build.
GATE_ENTITY_F1 = 0.80

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[str, Any]:
    if not (RASA_VENV_BIN / "rasa").exists():
        unavailable(f"the Rasa environment is missing ({RASA_VENV_BIN}); create it to run the NLU gate")
    model, seconds = train_nlu(ROOT / "config.yml", tmp_path_factory.mktemp("nlu-model"))
    result = evaluate(model)
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nNLU gate: config.yml trained in {seconds:.0f} s; held-out figures:")
        print(format_figures(result))
    return result


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intent_macro_f1_at_least_gate(figures: dict[str, Any], lang: str) -> None:
    f = figures[lang]
    misses = "\n".join(f"  {e['text']!r}: {e['expected']} -> {e['predicted']}" for e in f["errors"])
    assert f["intent_macro_f1"] >= GATE_MACRO_F1, (
        f"{lang}: intent macro-F1 {f['intent_macro_f1']:.3f} < {GATE_MACRO_F1}; misclassified:\n{misses}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_entity_f1_at_least_gate(figures: dict[str, Any], lang: str) -> None:
    assert figures[lang]["entities"]["f1"] >= GATE_ENTITY_F1, figures[lang]["entities"]
