"""Compares candidate Rasa NLU pipelines on the held-out sets and prints a markdown table.

For each candidate (pipelines/*.yml by default): train an NLU-only model on data/nlu, time it
(wall and CPU seconds: the CPU figure is what stays comparable on a shared machine), then
measure intent macro-F1, entity F1 and per-message latency per language on tests/nlu/*.yml,
and the share of tests/nlu/noise.yml turned away (nlu_fallback or out_of_scope).

    .venv/bin/python scripts/compare_pipelines.py [pipelines/a.yml ...] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nlu_eval import LANGUAGES, NOISE_FILE, ROOT, evaluate, held_out_files, train_nlu  # noqa: E402


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(config: Path, work_dir: Path) -> dict[str, Any]:
    cpu_before = _children_cpu_seconds()
    model, wall = train_nlu(config, work_dir, name=config.stem)
    cpu = _children_cpu_seconds() - cpu_before
    figures = evaluate(model, [*held_out_files(), NOISE_FILE])
    return {
        "config": str(config.relative_to(ROOT)),
        "train_wall_s": wall,
        "train_cpu_s": cpu,
        "model_mb": model.stat().st_size / 1e6,
        "figures": figures,
    }


def table(results: list[dict[str, Any]]) -> str:
    head = (
        ["candidate", "train wall s", "train CPU s"]
        + [f"intent F1 {lang}" for lang in LANGUAGES]
        + [f"entity F1 {lang}" for lang in LANGUAGES]
        + ["noise turned away", "latency median ms", "latency p95 ms", "model MB"]
    )
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        f = r["figures"]
        medians = sorted(f[lang]["latency_ms"]["median"] for lang in LANGUAGES)
        p95 = max(f[lang]["latency_ms"]["p95"] for lang in LANGUAGES)
        cells = (
            [Path(r["config"]).stem, f"{r['train_wall_s']:.0f}", f"{r['train_cpu_s']:.0f}"]
            + [f"{f[lang]['intent_macro_f1']:.3f}" for lang in LANGUAGES]
            + [f"{f[lang]['entities']['f1']:.3f}" for lang in LANGUAGES]
            + [
                f"{f[NOISE_FILE.stem]['turned_away']:.1%}",
                f"{medians[len(medians) // 2]:.1f}",
                f"{p95:.1f}",
                f"{r['model_mb']:.1f}",
            ]
        )
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "configs", nargs="*", type=Path, help="pipeline configs (default: pipelines/*.yml)"
    )
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument(
        "--models-dir",
        type=Path,
        help="keep the trained models here (default: a deleted temporary dir)",
    )
    args = parser.parse_args(argv)
    configs = [c.resolve() for c in args.configs] or sorted((ROOT / "pipelines").glob("*.yml"))
    results = []
    with tempfile.TemporaryDirectory(prefix="guichet-nlu-") as tmp:
        models_dir = args.models_dir or Path(tmp)
        for config in configs:
            print(f"== {config.name}: training and evaluating…", flush=True)
            result = measure(config, models_dir)
            results.append(result)
            print(
                f"   trained in {result['train_wall_s']:.0f} s wall / {result['train_cpu_s']:.0f} s CPU",
                flush=True,
            )
    print()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
