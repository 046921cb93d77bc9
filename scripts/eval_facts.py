"""Routing facts read from first messages: right door at the first reply and within one question,
per variety, on the held-out openings (tests/understanding/openings/) or the dev set (--dev).

    .venv/bin/python scripts/eval_facts.py [--dev] [--misses] [--reader cues|classifier|crf]

`--reader crf --crf-facts FILE` measures the CRF-only baseline from the facts Rasa extracted
(scripts/crf_facts_dump.py writes FILE); `classifier` is scripts/facts_classifier.py.

No Rasa needed. The held-out corpus is for measuring only: read the misses to report them, never
to pick cues (see tests/understanding/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.understanding.bench import load_openings, measure, report  # noqa: E402

VARIETIES = ("fr", "fr_sms", "en", "ar_msa", "ar_darija", "arabizi", "zh")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dev", action="store_true", help="the dev set instead of the held-out one"
    )
    parser.add_argument("--misses", action="store_true", help="list the openings not routed right")
    parser.add_argument("--reader", choices=("cues", "classifier", "crf"), default="cues")
    parser.add_argument("--crf-facts", type=Path, help="JSON {text: facts} for --reader crf")
    args = parser.parse_args()
    directory = ROOT / "tests" / "understanding" / ("dev" if args.dev else "openings")
    read = None
    if args.reader == "classifier":
        sys.path.insert(0, str(ROOT / "scripts"))
        from facts_classifier import train  # noqa: PLC0415

        read = train(ROOT / "data" / "nlu")
    elif args.reader == "crf":
        extracted = json.loads(args.crf_facts.read_text(encoding="utf-8"))

        def read(text: str, lang: str | None) -> dict[str, str]:
            return extracted.get(text, {})

    total_first = total_within = total = 0
    for variety in VARIETIES:
        path = directory / f"{variety}.yml"
        if not path.exists():
            continue
        tally = measure(load_openings(path), read)
        print(report(variety, tally))
        if args.misses:
            for miss in tally.misses:
                print("    " + miss)
        total += tally.routing
        total_first += tally.first
        total_within += tally.within_one
    if total:
        print(
            f"{'all':<10} right door at first reply {100 * total_first / total:5.1f} %"
            f"  within one question {100 * total_within / total:5.1f} %  ({total} routing openings)"
        )


if __name__ == "__main__":
    main()
