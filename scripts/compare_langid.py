"""Compares language identifiers on text none of them trained on; prints the table of
docs/decisions/0007-language-identification.md.

    .venv/bin/python scripts/compare_langid.py [--openings DIR]

Sets: tests/nlu/{fr,en,ar}.yml (held-out NLU lines, the language is the file), the opening
messages of tests/understanding/openings/*.yml when present (`text` and `lang`), and
tests/language/no_language.yml (must give no language). The libraries are optional
(`pip install lingua-language-detector py3langid scikit-learn`): a missing one is skipped.
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import re
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.language import LanguageIdentifier  # noqa: E402
from bot.language.profiles import nlu_lines  # noqa: E402

LANGS = ("fr", "en", "ar")
Identify = Callable[[str], "str | None"]
_ARABIZI = re.compile(r"[a-z][379]|[379][a-z]", re.IGNORECASE)


def letter_words(text: str) -> int:
    return sum(1 for token in text.split() if any(c.isalpha() for c in token))


def load_sets(openings: Path) -> dict[str, list[tuple[str, str]]]:
    sets = {
        "held-out NLU": [
            (t, lang) for lang in LANGS for t in nlu_lines(ROOT / "tests" / "nlu" / f"{lang}.yml")
        ]
    }
    if openings.is_dir():
        rows = []
        for path in sorted(openings.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            for entry in data.get("openings") or []:
                # There `lang` is the language to answer in; a request for another language
                # ("Vous parlez arabe ?") is written in the file's own.
                asks = entry.get("intent") in ("change_language", "choose_language")
                lang = str(data.get("variety", ""))[:2] if asks else entry.get("lang")
                if lang in LANGS:
                    rows.append((str(entry["text"]), lang))
        if rows:
            sets["openings"] = rows
    return sets


def no_language() -> list[str]:
    return yaml.safe_load((ROOT / "tests" / "language" / "no_language.yml").read_text())["messages"]


# --- candidates: each a (load → identify) pair --------------------------------------------------


def ours() -> Identify:
    identifier = LanguageIdentifier.from_files()
    identifier.identify("warm up")
    return lambda text: identifier.identify(text).lang


def lingua(rules: bool) -> Identify:
    from lingua import Language, LanguageDetectorBuilder

    detector = (
        LanguageDetectorBuilder.from_languages(Language.FRENCH, Language.ENGLISH, Language.ARABIC)
        .with_preloaded_language_models()
        .build()
    )
    codes = {Language.FRENCH: "fr", Language.ENGLISH: "en", Language.ARABIC: "ar"}

    def raw(text: str) -> str | None:
        found = detector.detect_language_of(text)
        return codes.get(found) if found else None

    return _with_rules(raw) if rules else raw


def py3langid(rules: bool) -> Identify:
    from py3langid.langid import MODEL_FILE
    from py3langid.langid import LanguageIdentifier as Langid

    identifier = Langid.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGS))
    raw = lambda text: identifier.classify(text)[0] if text.strip() else None  # noqa: E731
    return _with_rules(raw) if rules else raw


def _with_rules(library: Identify) -> Identify:
    """Our no-language rules and script rule first, Arabizi digits as Arabic, then the library."""
    identifier = LanguageIdentifier.from_files()

    def combined(text: str) -> str | None:
        guess = identifier.identify(text)
        if guess.lang is None or guess.script != "LATIN":
            return guess.lang
        return "ar" if _ARABIZI.search(text) else library(text)

    return combined


def sklearn_lr() -> Identify:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts, labels = [], []
    for lang in LANGS:
        for line in nlu_lines(ROOT / "data" / "nlu" / f"{lang}.yml"):
            texts.append(line.lower())
            labels.append(lang)
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
        LogisticRegression(C=10, max_iter=2000),
    ).fit(texts, labels)
    return lambda text: str(model.predict([text.lower()])[0]) if text.strip() else None


CANDIDATES: dict[str, Callable[[], Identify]] = {
    "ours: script + NB (bot.language)": ours,
    "lingua (fr/en/ar)": lambda: lingua(rules=False),
    "lingua + our rules + Arabizi": lambda: lingua(rules=True),
    "py3langid (fr/en/ar)": lambda: py3langid(rules=False),
    "py3langid + our rules + Arabizi": lambda: py3langid(rules=True),
    "sklearn char LR on data/nlu": sklearn_lr,
}


def rss_mb() -> float:
    """Resident memory of this process (Linux), to see what a library holds outside Python."""
    status = Path("/proc/self/status")
    if not status.exists():
        return 0.0
    line = next(x for x in status.read_text().splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1e3


def measure(
    name: str, load: Callable[[], Identify], sets: dict[str, list[tuple[str, str]]]
) -> dict[str, str]:
    gc.collect()
    tracemalloc.start()
    rss_before = rss_mb()
    started = time.perf_counter()
    try:
        identify = load()
    except ImportError as error:
        tracemalloc.stop()
        return {"candidate": name, "note": f"skipped ({error.name} not installed)"}
    load_s = time.perf_counter() - started
    memory_mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    row = {
        "candidate": name,
        "load s": f"{load_s:.2f}",
        "Python heap MB": f"{memory_mb:.1f}",
        "RSS +MB": f"{rss_mb() - rss_before:.0f}",
    }
    timings = []
    for set_name, rows in sets.items():
        per_lang = {lang: [0, 0] for lang in LANGS}
        one_word = [0, 0]
        for text, lang in rows:
            started = time.perf_counter()
            found = identify(text)
            timings.append(time.perf_counter() - started)
            n = letter_words(text)
            if n >= 2:
                per_lang[lang][0] += found == lang
                per_lang[lang][1] += 1
            elif n == 1:
                one_word[0] += found == lang
                one_word[1] += 1
        for lang, (ok, total) in per_lang.items():
            if total:
                row[f"{set_name} {lang} 2+"] = f"{100 * ok / total:.1f}"
        if one_word[1]:
            row[f"{set_name} 1 word"] = f"{100 * one_word[0] / one_word[1]:.1f}"
    silent = no_language()
    row["no language"] = f"{sum(identify(t) is None for t in silent)}/{len(silent)}"
    row["median µs"] = f"{1e6 * statistics.median(timings):.0f}"
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--openings", type=Path, default=ROOT / "tests" / "understanding" / "openings"
    )
    parser.add_argument("--only", help="substring of a candidate's name")
    args = parser.parse_args()
    sets = load_sets(args.openings)
    for set_name, rows in sets.items():
        counts = {
            lang: sum(1 for _, lg in rows if lg == lang and letter_words(_) >= 2) for lang in LANGS
        }
        print(f"{set_name}: {len(rows)} messages, 2+ words per language {counts}")
    rows = [
        measure(name, load, sets)
        for name, load in CANDIDATES.items()
        if not args.only or args.only in name
    ]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(row.get(c, "") for c in columns) + " |")
    identifier = LanguageIdentifier.from_files()
    grams = sum(len(c) for m in identifier.models.values() for c in m.counts.values())
    size = len(pickle.dumps(identifier.models)) / 1e6
    print(
        f"\nours: {grams} n-gram counts, {size:.1f} MB pickled; trained at first use from data/nlu"
    )
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
