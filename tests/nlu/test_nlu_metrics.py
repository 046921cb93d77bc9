"""The scoring the NLU gate relies on, without Rasa: a fallback is a miss, the threshold replay
follows Rasa's FallbackClassifier rule, and the noise set stays unseen by training."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.nlu.training_files import LANGUAGES, examples, normalise, training_file

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from nlu_eval import FALLBACK_INTENT, NOISE_FILE, falls_back, macro_f1, sweep  # noqa: E402


def test_macro_f1_of_a_perfect_prediction_is_one() -> None:
    assert macro_f1(["greet", "deny", "deny"], ["greet", "deny", "deny"]) == 1.0


def test_a_fallback_is_a_miss_not_an_abstention() -> None:
    # Had nlu_fallback been left out of the scoring, this prediction would score 1.0.
    y_true = ["greet", "greet", "deny", "deny"]
    score = macro_f1(y_true, ["greet", FALLBACK_INTENT, "deny", "deny"])
    # greet: P 1, R 1/2 -> F1 2/3; deny: F1 1.
    assert score == pytest.approx((2 / 3 + 1) / 2)


def test_macro_f1_averages_classes_not_messages() -> None:
    y_true = ["inform"] * 9 + ["thank"]
    y_pred = ["inform"] * 10
    # inform: P 0.9, R 1 -> F1 18/19; thank: 0. Accuracy would say 0.9.
    assert macro_f1(y_true, y_pred) == pytest.approx((18 / 19) / 2)


@pytest.mark.parametrize(
    ("confidence", "margin", "expected"),
    [
        (0.29, 0.29, True),  # under the threshold
        (0.30, 0.30, False),  # Rasa compares with a strict "<"
        (0.90, 0.04, True),  # confident but the runner-up is too close
        (0.90, 0.05, False),
    ],
)
def test_falls_back_like_rasa(confidence: float, margin: float, expected: bool) -> None:
    assert falls_back(confidence, margin, threshold=0.3, ambiguity=0.05) is expected


def _record(text: str, expected: str, raw: str, confidence: float, margin: float) -> dict[str, Any]:
    return {
        "text": text,
        "expected": expected,
        "predicted": raw,
        "raw": raw,
        "confidence": confidence,
        "margin": margin,
    }


def test_sweep_replays_every_threshold_on_one_ranking() -> None:
    figures = {
        "fr": {
            "records": [
                _record("bonjour", "greet", "greet", 0.9, 0.8),
                _record("jeudi matin", "inform", "inform", 0.4, 0.3),
            ]
        },
        NOISE_FILE.stem: {
            "records": [
                _record("qsdfgh", "out_of_scope", "affirm", 0.45, 0.2),
                _record("blabla", "out_of_scope", "out_of_scope", 0.6, 0.4),
            ]
        },
    }
    low, high = sweep(figures, thresholds=(0.3, 0.5), ambiguities=(0.0,))
    assert low["fr"] == {"fallback_share": 0.0, "misread_share": 0.0, "macro_f1": 1.0}
    assert low["noise_caught"] == 0.5
    # At 0.5 "jeudi matin" falls back (a miss: inform recall 0), and "qsdfgh" is caught.
    assert high["fr"]["fallback_share"] == 0.5
    assert high["fr"]["macro_f1"] == pytest.approx(0.5)
    assert high["noise_caught"] == 1.0


def _key(text: str) -> str:
    # Emoji and punctuation fold to nothing; compare those lines as written.
    return normalise(text) or text.strip()


def test_noise_set_is_never_trained() -> None:
    trained = {_key(e.text) for lang in LANGUAGES for e in examples(training_file(lang))}
    leaked = [e.text for e in examples(NOISE_FILE) if _key(e.text) in trained]
    assert not leaked, f"tests/nlu/noise.yml lines copied into data/nlu: {leaked}"


def test_noise_set_has_every_kind_of_noise() -> None:
    texts = [e.text for e in examples(NOISE_FILE)]
    assert len(texts) >= 50
    assert sum(not normalise(t) for t in texts) >= 10, "emoji-only and punctuation-only lines"
    assert sum(any("\u0600" <= c <= "\u06ff" for c in t) for t in texts) >= 8, "Arabic-script lines"
