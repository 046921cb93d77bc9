"""`guichet bench [NAME...]`: runs the benchmarks and prints their figures.

A benchmark is a command, not a timed test: each module of this package named in BENCHMARKS
exposes `run_benchmark() -> None`, which prints medians and ratios. Add yours to the tuple.
One that takes the command's options (a subset, a running stack, a JSON file) declares
`run_benchmark(options: BenchOptions) -> None`.
"""

from __future__ import annotations

import importlib
import inspect
import time
from collections.abc import Sequence
from dataclasses import dataclass

BENCHMARKS: tuple[str, ...] = (
    "booking",
    "nlg",
    "dates",
    "catalogue",
    "channels",
    "scheduler",
    "resilience",
    "understanding",
    "resilience_api",
)


@dataclass(frozen=True)
class BenchOptions:
    """`guichet bench` options, for the benchmarks that take them (understanding)."""

    limit: int | None = None  # at most this many items per set
    varieties: tuple[str, ...] = ()  # only these (held-out corpus varieties)
    url: str | None = None  # a running stack instead of one started by the benchmark
    json_path: str | None = None  # also write the figures there
    workers: int = 3  # phones texting at the same time
    dev: bool = False  # understanding: the dev openings (free to tune on), no conversations


def run(names: Sequence[str] = (), options: BenchOptions | None = None) -> int:
    """Runs the benchmarks named (all when none is); 2 when a name is unknown."""
    selected = [name for name in BENCHMARKS if not names or name in names]
    if not selected:
        print(f"no benchmark named {', '.join(names)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for index, name in enumerate(selected, start=1):
        module = f"benchmarks.{name}"
        print(f"==> [{index}/{len(selected)}] {name} ({module})", flush=True)
        started = time.perf_counter()
        run_benchmark = importlib.import_module(module).run_benchmark
        if inspect.signature(run_benchmark).parameters:
            run_benchmark(options or BenchOptions())
        else:
            run_benchmark()
        print(f"    done in {time.perf_counter() - started:.1f} s", flush=True)
    return 0
