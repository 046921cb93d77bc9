"""`guichet bench [NAME...]`: runs the benchmarks and prints their figures.

A benchmark is a command, not a timed test: each module of this package named in BENCHMARKS
exposes `run_benchmark() -> None`, which prints medians and ratios. Add yours to the tuple.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Sequence

BENCHMARKS: tuple[str, ...] = (
    "booking",
    "nlg",
    "dates",
    "catalogue",
    "channels",
    "scheduler",
    "resilience_api",
)


def run(names: Sequence[str] = ()) -> int:
    """Runs the benchmarks named (all when none is); 2 when a name is unknown."""
    selected = [name for name in BENCHMARKS if not names or name in names]
    if not selected:
        print(f"no benchmark named {', '.join(names)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for index, name in enumerate(selected, start=1):
        module = f"benchmarks.{name}"
        print(f"==> [{index}/{len(selected)}] {name} ({module})", flush=True)
        started = time.perf_counter()
        importlib.import_module(module).run_benchmark()
        print(f"    done in {time.perf_counter() - started:.1f} s", flush=True)
    return 0
