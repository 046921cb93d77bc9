"""`guichet worker`: the scheduler loop. `guichet worker --once` runs a single pass."""

from __future__ import annotations

import argparse
from datetime import timedelta

from bot.booking.config import EngineConfig
from bot.config import Settings
from bot.db import make_engine, make_session_factory
from bot.scheduler.notifier import ChannelsNotifier
from bot.scheduler.worker import Worker


def cmd_worker(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    factory = make_session_factory(make_engine(settings.database_url))
    notifier = ChannelsNotifier(settings, factory)
    worker = Worker(
        factory,
        EngineConfig.from_settings(settings),
        notifier,
        reminder_ahead=timedelta(hours=settings.reminder_hours),
    )
    try:
        if args.once:
            print(worker.tick().summary())
            return 0
        print(f"scheduler: one pass every {args.interval:g} s (Ctrl-C to stop)", flush=True)
        worker.run_forever(args.interval, progress=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        return 0
    finally:
        notifier.close()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "worker", help="send reminders, waitlist offers and deadline alerts (the scheduler)"
    )
    parser.add_argument("--once", action="store_true", help="one pass, then exit")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between passes")
    parser.set_defaults(func=cmd_worker)
