"""NLU quality on the held-out sets (tests/nlu/<lang>.yml): intent macro-F1, entity F1, latency.

Two halves, because Rasa 3.6 lives in its own environment (.venv-rasa) and our tests in .venv:
- `train_nlu()` and `evaluate()` use the standard library only; the pytest gate and
  scripts/compare_pipelines.py import them and drive `.venv-rasa` through subprocesses;
- run as a script with `.venv-rasa/bin/python`, this file loads a trained model with Rasa's
  Python API, parses every held-out message and prints/writes the figures:

    .venv-rasa/bin/python scripts/nlu_eval.py --model models/nlu.tar.gz tests/nlu/*.yml

`--sweep` also prints, for several FallbackClassifier thresholds, the share of held-out messages
that would fall back against the share of tests/nlu/noise.yml (gibberish, emoji, punctuation,
off-topic) caught: the figures config.yml's thresholds were chosen from. The sweep replays
Rasa's rule on the classifier's own ranking, so one trained model serves every threshold.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA_VENV_BIN = ROOT / ".venv-rasa" / "bin"
NLU_DATA = ROOT / "data" / "nlu"
HELD_OUT_DIR = ROOT / "tests" / "nlu"
# The declared languages (locales/languages.yml, read here without the project: this script also
# runs under .venv-rasa): each has a held-out set tests/nlu/<code>.yml.
LANGUAGES = tuple(
    yaml.safe_load((ROOT / "locales" / "languages.yml").read_text(encoding="utf-8"))["declared"]
)
GATE_MACRO_F1 = 0.90
# Messages no intent fits: the gate wants most of them turned away, not given a confident intent.
NOISE_FILE = HELD_OUT_DIR / "noise.yml"
FALLBACK_INTENT = "nlu_fallback"
# Both lead to action_fallback (rephrase, then the menu); any other intent is a misread.
TURNED_AWAY = frozenset({FALLBACK_INTENT, "out_of_scope"})
SWEEP_THRESHOLDS = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
SWEEP_AMBIGUITIES = (0.0, 0.05, 0.1)

# Rasa and TensorFlow are chatty; the figures are what we want to read.
QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONWARNINGS": "ignore",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "LOG_LEVEL": "WARNING",
}


class RasaCommandError(RuntimeError):
    pass


def held_out_files() -> list[Path]:
    return [HELD_OUT_DIR / f"{lang}.yml" for lang in LANGUAGES]


def _run(
    cmd: list[str], timeout: float, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **QUIET_ENV, **(extra_env or {})}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
        raise RasaCommandError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{tail}")
    return proc


def train_nlu(
    config: Path, out_dir: Path, name: str = "nlu", timeout: float = 900
) -> tuple[Path, float]:
    """Trains an NLU-only model from `config` + data/nlu; returns (model path, wall seconds)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(RASA_VENV_BIN / "rasa"),
        "train",
        "nlu",
        "--config",
        str(config),
        "--nlu",
        str(NLU_DATA),
        "--out",
        str(out_dir),
        "--fixed-model-name",
        name,
        "--quiet",
    ]
    started = time.perf_counter()
    # Rasa's training cache (.rasa/cache, shared with everyone training in this tree) would turn
    # a second run into a cache read: timings and the gate must measure a real training.
    _run(cmd, timeout, extra_env={"RASA_MAX_CACHE_SIZE": "0"})
    seconds = time.perf_counter() - started
    model = out_dir / f"{name}.tar.gz"
    if not model.exists():
        raise RasaCommandError(f"rasa train nlu finished but {model} is missing")
    return model, seconds


def evaluate(
    model: Path, test_files: list[Path] | None = None, timeout: float = 600
) -> dict[str, Any]:
    """Runs this file inside .venv-rasa on `model`; returns {lang: figures} (see _figures)."""
    files = test_files or held_out_files()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        cmd = [
            str(RASA_VENV_BIN / "python"),
            str(Path(__file__).resolve()),
            "--model",
            str(model),
            "--json",
            str(out),
            *map(str, files),
        ]
        _run(cmd, timeout)
        return json.loads(out.read_text(encoding="utf-8"))


def macro_f1(y_true: list[str], y_pred: list[str]) -> float:
    """Macro-F1 over the expected intents. A prediction outside them (nlu_fallback above all)
    scores for no class: it is a miss of the expected intent, never a free pass."""
    labels = sorted(set(y_true))
    scores = []
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(y_true, y_pred, strict=True))
        n_pred = sum(p == label for p in y_pred)
        n_true = sum(t == label for t in y_true)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def falls_back(confidence: float, margin: float, threshold: float, ambiguity: float) -> bool:
    """Rasa 3.6 FallbackClassifier's rule: a top confidence under `threshold`, or a top-two gap
    under `ambiguity`."""
    return confidence < threshold or margin < ambiguity


def sweep(
    figures: dict[str, Any],
    thresholds: tuple[float, ...] = SWEEP_THRESHOLDS,
    ambiguities: tuple[float, ...] = SWEEP_AMBIGUITIES,
) -> list[dict[str, Any]]:
    """What each (threshold, ambiguity) would do, replayed on the raw classifier ranking: per
    language the share of held-out messages falling back (a "please rephrase"), the share given
    a wrong intent (a wrong next step: what a fallback is meant to turn into a rephrase) and the
    macro-F1 left; and the share of the noise set turned away."""
    rows = []
    for ambiguity in ambiguities:
        for threshold in thresholds:
            row: dict[str, Any] = {"threshold": threshold, "ambiguity": ambiguity}
            for name, f in figures.items():
                records = f["records"]
                fallen = [
                    falls_back(r["confidence"], r["margin"], threshold, ambiguity) for r in records
                ]
                predicted = [
                    FALLBACK_INTENT if down else r["raw"]
                    for r, down in zip(records, fallen, strict=True)
                ]
                if name == NOISE_FILE.stem:
                    row["noise_caught"] = sum(p in TURNED_AWAY for p in predicted) / len(records)
                else:
                    expected = [r["expected"] for r in records]
                    row[name] = {
                        "fallback_share": sum(fallen) / len(records),
                        "misread_share": sum(
                            p not in (e, FALLBACK_INTENT)
                            for e, p in zip(expected, predicted, strict=True)
                        )
                        / len(records),
                        "macro_f1": macro_f1(expected, predicted),
                    }
            rows.append(row)
    return rows


def format_sweep(rows: list[dict[str, Any]]) -> str:
    langs = [k for k in rows[0] if k in LANGUAGES]
    head = (
        ["threshold", "ambiguity"]
        + [f"{lang}: fallback / misread / macro-F1" for lang in langs]
        + ["noise turned away"]
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = (
            [f"{row['threshold']:.2f}", f"{row['ambiguity']:.2f}"]
            + [
                f"{row[lang]['fallback_share']:.1%} / {row[lang]['misread_share']:.1%} / "
                f"{row[lang]['macro_f1']:.3f}"
                for lang in langs
            ]
            + [f"{row['noise_caught']:.1%}" if "noise_caught" in row else "-"]
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_figures(figures: dict[str, Any]) -> str:
    lines = ["lang  n    intent macro-F1  intent acc  entity F1 (P/R)        latency median/p95 ms"]
    for lang, f in figures.items():
        if lang == NOISE_FILE.stem:
            lines.append(
                f"{lang:<5} {f['n']:<4} turned away (nlu_fallback/out_of_scope): {f['turned_away']:.1%}"
            )
            continue
        ent = f["entities"]
        lines.append(
            f"{lang:<5} {f['n']:<4} {f['intent_macro_f1']:<16.3f} {f['intent_accuracy']:<11.3f} "
            f"{ent['f1']:.3f} ({ent['precision']:.2f}/{ent['recall']:.2f}){'':<9} "
            f"{f['latency_ms']['median']:.1f} / {f['latency_ms']['p95']:.1f}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Below: runs only inside .venv-rasa.


def _entity_spans(entities: list[dict[str, Any]]) -> set[tuple[int, int, str]]:
    return {(int(e["start"]), int(e["end"]), str(e["entity"])) for e in entities}


def _prf(tp: int, n_pred: int, n_true: int) -> dict[str, float]:
    precision = tp / n_pred if n_pred else 1.0
    recall = tp / n_true if n_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


async def _figures(agent: Any, path: Path) -> dict[str, Any]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = load_data(str(path)).intent_examples
    y_true: list[str] = []
    y_pred: list[str] = []
    latencies: list[float] = []
    tp = n_pred = n_true = 0
    errors: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    for example in examples:
        text = example.get("text")
        started = time.perf_counter()
        parsed = await agent.parse_message(text)
        latencies.append((time.perf_counter() - started) * 1000)
        expected, predicted = example.get("intent"), parsed["intent"]["name"]
        y_true.append(expected)
        y_pred.append(predicted)
        # The classifier's own ranking, without the fallback FallbackClassifier puts on top:
        # what the sweep replays other thresholds on.
        ranking = [r for r in parsed.get("intent_ranking") or [] if r["name"] != FALLBACK_INTENT]
        scores = [float(r["confidence"]) for r in ranking[:2]] + [0.0, 0.0]
        records.append(
            {
                "text": text,
                "expected": expected,
                "predicted": predicted,
                "raw": ranking[0]["name"] if ranking else predicted,
                "confidence": scores[0],
                "margin": scores[0] - scores[1],
            }
        )
        true_spans = _entity_spans(example.get("entities") or [])
        pred_spans = _entity_spans(parsed.get("entities") or [])
        tp += len(true_spans & pred_spans)
        n_pred += len(pred_spans)
        n_true += len(true_spans)
        if expected != predicted:
            errors.append(
                {
                    "text": text,
                    "expected": expected,
                    "predicted": predicted,
                    "confidence": round(float(parsed["intent"]["confidence"]), 3),
                }
            )
    quantiles = statistics.quantiles(latencies, n=20)
    return {
        "n": len(examples),
        "intent_macro_f1": macro_f1(y_true, y_pred),
        "intent_accuracy": sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(y_true),
        "turned_away": sum(p in TURNED_AWAY for p in y_pred) / len(y_pred),
        "entities": _prf(tp, n_pred, n_true),
        "latency_ms": {"median": statistics.median(latencies), "p95": quantiles[-1]},
        "errors": errors,
        "records": records,
    }


async def _evaluate_all(model: Path, files: list[Path]) -> dict[str, Any]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    # The first parse builds the TensorFlow graph; it is not what a user waits for.
    await agent.parse_message("bonjour")
    return {path.stem: await _figures(agent, path) for path in files}


def main(argv: list[str] | None = None) -> int:
    import asyncio
    import logging

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument(
        "--json", type=Path, help="write the figures (and misclassified lines) here"
    )
    parser.add_argument("--errors", action="store_true", help="print every misclassified line")
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="also print the FallbackClassifier threshold sweep (needs noise.yml among the files)",
    )
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    figures = asyncio.run(_evaluate_all(args.model, args.files or held_out_files()))
    print(format_figures(figures))
    if args.errors:
        for lang, f in figures.items():
            for e in f["errors"]:
                print(
                    f"  [{lang}] {e['text']!r}: {e['expected']} -> {e['predicted']} ({e['confidence']})"
                )
    if args.sweep:
        print()
        print(format_sweep(sweep(figures)))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
