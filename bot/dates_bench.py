"""Benchmark of date understanding: per-parse cost over the whole specification table.

The table lives in tests/dates/table.py (the spec); the benchmark runs from a source checkout.
"""

from __future__ import annotations

import importlib.util
import statistics
import time as clock
from collections import defaultdict
from pathlib import Path
from types import ModuleType

from bot.dates import understand, warm_up

TABLE_PATH = Path(__file__).resolve().parent.parent / "tests" / "dates" / "table.py"
ROUNDS = 20


def _load_table() -> ModuleType:
    spec = importlib.util.spec_from_file_location("guichet_dates_table", TABLE_PATH)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(TABLE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _plain_dateparser_ms(cases: list) -> float:
    # The same texts through dateparser alone (explicit language, warm): the baseline we add to.
    from dateparser.date import DateDataParser

    parsers = {
        lang: DateDataParser(languages=[lang], settings={"PREFER_DATES_FROM": "future"})
        for lang in ("fr", "en", "ar")
    }
    for case in cases:
        parsers[case.lang].get_date_data(case.text)
    costs = []
    for _ in range(ROUNDS):
        for case in cases:
            started = clock.perf_counter()
            parsers[case.lang].get_date_data(case.text)
            costs.append(clock.perf_counter() - started)
    return statistics.median(costs) * 1000


def run_benchmark() -> None:
    if not TABLE_PATH.exists():
        print(f"dates: {TABLE_PATH} not found, run from a source checkout")
        return
    cases = _load_table().CASES
    started = clock.perf_counter()
    warm_up()
    print(
        f"dates: warm-up (dateparser data + lexicons) {1000 * (clock.perf_counter() - started):.0f} ms"
    )
    for case in cases:
        understand(case.text, case.lang, case.now)
    # Each case's own median over the rounds, so a neighbour's load spike does not count as p95.
    timings: list[list[float]] = [[] for _ in cases]
    for _ in range(ROUNDS):
        for index, case in enumerate(cases):
            started = clock.perf_counter()
            understand(case.text, case.lang, case.now)
            timings[index].append(clock.perf_counter() - started)
    per_lang: dict[str, list[float]] = defaultdict(list)
    for case, costs in zip(cases, timings, strict=True):
        per_lang[case.lang].append(statistics.median(costs))
    everything = [cost for costs in per_lang.values() for cost in costs]
    for lang, costs in sorted(per_lang.items()):
        print(
            f"dates: understand {lang}: median {1000 * statistics.median(costs):.3f} ms, "
            f"p95 {1000 * _percentile(costs, 0.95):.3f} ms ({len(costs)} cases)"
        )
    median = statistics.median(everything) * 1000
    print(
        f"dates: understand all: median {median:.3f} ms, p95 {1000 * _percentile(everything, 0.95):.3f} ms,"
        f" worst case {1000 * max(everything):.3f} ms ({len(cases)} cases x {ROUNDS} rounds)"
    )
    baseline = _plain_dateparser_ms(cases)
    print(
        f"dates: dateparser alone on the same texts: median {baseline:.3f} ms"
        f" (ratio ours/dateparser {median / baseline:.2f})"
    )


if __name__ == "__main__":
    run_benchmark()
