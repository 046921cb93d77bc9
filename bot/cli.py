"""The `guichet` command. Each area registers its own sub-commands (see COMMAND_MODULES)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Modules exposing `register(subparsers)`; each adds its sub-commands with `set_defaults(func=...)`.
COMMAND_MODULES: tuple[str, ...] = (
    "bot.booking.cli",
    "bot.gateway.cli",
    "bot.bench",
    "bot.channels.cli",
    "bot.catalogue_cli",
    "bot.scheduler.cli",
    "bot.simulation.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guichet",
        description="Guichet: book a préfecture appointment by SMS or Telegram.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
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
