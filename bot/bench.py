"""`guichet bench`: runs every benchmark module in BENCHMARK_MODULES and prints its figures.

A benchmark is a command, not a timed test: each module exposes `run_benchmark() -> None`
that prints medians and ratios. Add yours to the tuple.
"""

from __future__ import annotations

import argparse
import importlib
import time

BENCHMARK_MODULES: tuple[str, ...] = (
    "bot.booking.bench",
    "bot.nlg",
    "bot.dates_bench",
    "bot.catalogue.bench",
    "bot.channels.bench",
    "bot.scheduler.bench",
)


def _short_name(module: str) -> str:
    # "bot.booking.bench" → "booking", so `guichet bench booking` runs just that one.
    parts = [p for p in module.split(".") if p not in ("bot", "bench")]
    return parts[-1] if parts else module


def cmd_bench(args: argparse.Namespace) -> int:
    selected = [m for m in BENCHMARK_MODULES if not args.names or _short_name(m) in args.names]
    if not selected:
        print(
            f"no benchmark named {', '.join(args.names)}; known: "
            f"{', '.join(_short_name(m) for m in BENCHMARK_MODULES)}"
        )
        return 2
    for index, module in enumerate(selected, start=1):
        print(f"==> [{index}/{len(selected)}] {_short_name(module)} ({module})", flush=True)
        started = time.perf_counter()
        importlib.import_module(module).run_benchmark()
        print(f"    done in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    bench = subparsers.add_parser("bench", help="print the benchmarks' figures")
    bench.add_argument("names", nargs="*", help="only these benchmarks (e.g. booking)")
    bench.set_defaults(func=cmd_bench)
