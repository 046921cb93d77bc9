"""Language identification on the dev messages: per variety, on messages of two words or more,
how many `bot.language.identify` gets right, and what the gateway answers a first message in.

    .venv/bin/python scripts/langid_dev.py [--misses]

Sets (free to read and tune on): tests/language/dev_messages.yml and the dev openings of
tests/understanding/dev/*.yml. Never the held-out openings (scripts/compare_langid.py reads
them, for the aggregate only).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.channels.language import decide  # noqa: E402
from bot.language import identify  # noqa: E402

DEV_MESSAGES = ROOT / "tests" / "language" / "dev_messages.yml"
DEV_OPENINGS = ROOT / "tests" / "understanding" / "dev"
ASKS_LANGUAGE = ("change_language", "choose_language")


def letter_words(text: str) -> int:
    return sum(1 for token in text.split() if any(c.isalpha() for c in token))


def dev_sets() -> dict[str, list[tuple[str, str]]]:
    """Variety → (text, language it is written in)."""
    sets: dict[str, list[tuple[str, str]]] = {}
    data = yaml.safe_load(DEV_MESSAGES.read_text(encoding="utf-8"))
    for variety, block in data["varieties"].items():
        sets[f"messages {variety}"] = [(str(t), str(block["lang"])) for t in block["messages"]]
    for path in sorted(DEV_OPENINGS.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        variety = str(data.get("variety", path.stem))
        rows = []
        for entry in data.get("openings") or []:
            # A request for another language is written in the file's own.
            asks = entry.get("intent") in ASKS_LANGUAGE
            rows.append((str(entry["text"]), variety[:2] if asks else str(entry["lang"])))
        sets[f"dev {variety}"] = rows
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    print(f"{'set':<22}{'n 2+':>6}{'identify %':>12}{'first reply %':>15}")
    totals = [0, 0, 0]
    for name, rows in dev_sets().items():
        rows = [(t, lang) for t, lang in rows if letter_words(t) >= 2]
        ok = reply_ok = 0
        misses = []
        for text, lang in rows:
            found = identify(text).lang
            reply = decide(text, "fr", None).language
            ok += found == lang
            reply_ok += reply == lang
            if found != lang or reply != lang:
                misses.append((text, lang, found, reply))
        totals[0] += len(rows)
        totals[1] += ok
        totals[2] += reply_ok
        n = len(rows) or 1
        print(f"{name:<22}{len(rows):>6}{100 * ok / n:>12.1f}{100 * reply_ok / n:>15.1f}")
        if args.misses:
            for text, lang, found, reply in misses:
                print(f"    {lang} → identify {found}, reply {reply}: {text}")
    n = totals[0] or 1
    print(f"{'all':<22}{totals[0]:>6}{100 * totals[1] / n:>12.1f}{100 * totals[2] / n:>15.1f}")


if __name__ == "__main__":
    main()
