"""The NLU quality gate: config.yml trained on data/nlu with the real Rasa (.venv-rasa; the model
`make train` left when it is up to date), evaluated on
the held-out sets tests/nlu/{fr,en,ar}.yml and the noise set tests/nlu/noise.yml, print the
figures, and fail below intent macro-F1 0.90 in any language (a held-out message sent to
nlu_fallback counts as a miss), when the noise is not turned away, or when a misread seen live
comes back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.skips import unavailable
from tests.support.stack import up_to_date_model

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from nlu_eval import (  # noqa: E402
    FALLBACK_INTENT,
    GATE_MACRO_F1,
    LANGUAGES,
    NOISE_FILE,
    RASA_VENV_BIN,
    TURNED_AWAY,
    evaluate,
    format_figures,
    held_out_files,
    train_nlu,
)

# Entities matter less than intents for routing (the actions re-ask a missing value), but a
# collapse of the extractor must still stop the build.
GATE_ENTITY_F1 = 0.80
# The FallbackClassifier must catch the noise without making real messages fall back often: each
# fallback costs the applicant a "could you rephrase?". Measured with config.yml (threshold 0.45,
# ambiguity 0.05; `scripts/nlu_eval.py --sweep`): 87 % of the noise turned away, 4.9 / 6.2 / 7.5 %
# of the fr / en / ar held-out messages falling back. The bounds leave a few messages of margin;
# a threshold of 0.40 (63 % of the noise) or 0.50 (10 % of Arabic falling back) fails them.
NOISE_TURNED_AWAY_GATE = 0.80
HELD_OUT_FALLBACK_CEILING = 0.09
# Answers seen misread live (issue 4), now held-out lines in tests/nlu/<lang>.yml.
LIVE_MISREADS: tuple[tuple[str, str, str], ...] = (
    ("fr", "jeudi matin", "inform"),
    ("fr", "la semaine prochaine", "inform"),
    ("fr", "mes recherches", "my_proof"),
    ("en", "tuesday afternoon", "inform"),
    ("en", "next week", "inform"),
    ("en", "my searches", "my_proof"),
    ("ar", "الخميس فالصباح", "inform"),
    ("ar", "السيمانة الجاية", "inform"),
    ("ar", "بحثي", "my_proof"),
)

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def figures(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> dict[str, Any]:
    if not (RASA_VENV_BIN / "rasa").exists():
        unavailable(
            f"the Rasa environment is missing ({RASA_VENV_BIN}); create it to run the NLU gate"
        )
    # The model `make test` trained first holds this very NLU (config.yml on data/nlu; the
    # pipeline is deterministic: logistic regression and CRF): trained again, it cost 2½ minutes.
    model = up_to_date_model()
    if model is None:
        model, seconds = train_nlu(ROOT / "config.yml", tmp_path_factory.mktemp("nlu-model"))
        origin = f"config.yml trained in {seconds:.0f} s"
    else:
        origin = f"the model make train left ({model.name})"
    result = evaluate(model, [*held_out_files(), NOISE_FILE])
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nNLU gate: {origin}; held-out figures:")
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


def test_noise_is_turned_away(figures: dict[str, Any]) -> None:
    noise = figures[NOISE_FILE.stem]
    kept = "\n".join(
        f"  {r['text']!r} -> {r['predicted']} ({r['confidence']:.2f})"
        for r in noise["records"]
        if r["predicted"] not in TURNED_AWAY
    )
    assert noise["turned_away"] >= NOISE_TURNED_AWAY_GATE, (
        f"only {noise['turned_away']:.1%} of tests/nlu/noise.yml reach nlu_fallback/out_of_scope; read as:\n{kept}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_real_messages_seldom_fall_back(figures: dict[str, Any], lang: str) -> None:
    records = figures[lang]["records"]
    fallen = [r["text"] for r in records if r["predicted"] == FALLBACK_INTENT]
    assert len(fallen) / len(records) <= HELD_OUT_FALLBACK_CEILING, (lang, len(fallen), fallen)


@pytest.mark.parametrize(("lang", "text", "expected"), LIVE_MISREADS)
def test_live_misread_is_read_right(
    figures: dict[str, Any], lang: str, text: str, expected: str
) -> None:
    record = next((r for r in figures[lang]["records"] if r["text"] == text), None)
    assert record is not None, f"{text!r} is no longer a held-out line of tests/nlu/{lang}.yml"
    assert record["predicted"] == expected, record
