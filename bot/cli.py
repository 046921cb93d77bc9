"""The `guichet` command. Each area registers its own sub-commands (see COMMAND_MODULES)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from bot.config import PROJECT_ROOT

# Modules exposing `register(subparsers)`; each adds its sub-commands with `set_defaults(func=...)`.
COMMAND_MODULES: tuple[str, ...] = (
    "bot.booking.cli",
    "bot.gateway.cli",
    "bot.gateway.purge",
    "bot.channels.cli",
    "bot.catalogue_cli",
    "bot.scheduler.cli",
    "bot.simulation.cli",
    "bot.pan.cli",
)


def cmd_bench(args: argparse.Namespace) -> int:
    """The benchmarks live in the checkout's benchmarks/, beside tests/: not in the package."""
    if not (PROJECT_ROOT / "benchmarks" / "runner.py").is_file():
        print(
            f"guichet bench: no benchmarks/ in {PROJECT_ROOT}: the benchmarks run from a checkout "
            "of the repository (git clone, then `make bench`), not from an installed package",
            file=sys.stderr,
        )
        return 2
    # An editable install puts bot and actions on the path, not the checkout's root.
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    from benchmarks.runner import BenchOptions, run

    options = BenchOptions(
        limit=args.limit,
        varieties=tuple(args.variety or ()),
        url=args.url or os.environ.get("GUICHET_BENCH_URL") or None,
        json_path=args.json,
        workers=args.workers,
        dev=args.dev,
    )
    return run(args.names, options)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guichet",
        description="Guichet: book a préfecture appointment by SMS or Telegram.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    bench = subparsers.add_parser("bench", help="print the benchmarks' figures (from a checkout)")
    bench.add_argument("names", nargs="*", help="only these benchmarks (e.g. booking)")
    bench.add_argument("--limit", type=int, help="understanding: at most N items per set")
    bench.add_argument(
        "--variety", action="append", help="understanding: only this variety (repeatable)"
    )
    bench.add_argument(
        "--url", help="understanding: a running stack (default $GUICHET_BENCH_URL, else start one)"
    )
    bench.add_argument("--json", metavar="PATH", help="understanding: also write figures as JSON")
    bench.add_argument(
        "--workers", type=int, default=3, help="understanding: phones texting at once"
    )
    bench.add_argument(
        "--dev",
        action="store_true",
        help="understanding: play the dev openings and conversations (tests/understanding/dev, "
        "free to tune on) instead of the held-out corpus",
    )
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    return int(func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
