"""Benchmark of date understanding: per-parse cost over the whole specification table.

The cases are the specification table of tests/dates/table.py.
"""

from __future__ import annotations

import statistics
import time as clock
from collections import defaultdict

from benchmarks.timing import percentile
from bot.dates import understand, warm_up
from tests.dates.table import CASES, Case

ROUNDS = 20


def _plain_dateparser_ms(cases: list[Case]) -> float:
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
    started = clock.perf_counter()
    warm_up()
    print(
        f"dates: warm-up (dateparser data + lexicons) {1000 * (clock.perf_counter() - started):.0f} ms"
    )
    for case in CASES:
        understand(case.text, case.lang, case.now)
    # Each case's own median over the rounds, so a neighbour's load spike does not count as p95.
    timings: list[list[float]] = [[] for _ in CASES]
    for _ in range(ROUNDS):
        for index, case in enumerate(CASES):
            started = clock.perf_counter()
            understand(case.text, case.lang, case.now)
            timings[index].append(clock.perf_counter() - started)
    per_lang: dict[str, list[float]] = defaultdict(list)
    for case, costs in zip(CASES, timings, strict=True):
        per_lang[case.lang].append(statistics.median(costs))
    everything = [cost for costs in per_lang.values() for cost in costs]
    for lang, costs in sorted(per_lang.items()):
        print(
            f"dates: understand {lang}: median {1000 * statistics.median(costs):.3f} ms, "
            f"p95 {1000 * percentile(costs, 0.95):.3f} ms ({len(costs)} cases)"
        )
    median = statistics.median(everything) * 1000
    print(
        f"dates: understand all: median {median:.3f} ms, p95 {1000 * percentile(everything, 0.95):.3f} ms,"
        f" worst case {1000 * max(everything):.3f} ms ({len(CASES)} cases x {ROUNDS} rounds)"
    )
    baseline = _plain_dateparser_ms(CASES)
    print(
        f"dates: dateparser alone on the same texts: median {baseline:.3f} ms"
        f" (ratio ours/dateparser {median / baseline:.2f})"
    )
