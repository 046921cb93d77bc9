"""`guichet purge`: personal data kept no longer than needed (GDPR minimisation).

Deletes what is older than its retention: the conversations the gateway recorded (channel
inbound/outbound rows; a message still waiting for an answer is kept), Rasa's trackers (the SQL
tracker store's events), the scheduler's sent or given-up messages, and the search journal
(availability checks, the applicant's proof: kept longer). Bookings, waitlist entries and
contacts stay: préfectures need them. Idempotent: a second run deletes nothing.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, and_, delete, func, or_, select, text
from sqlalchemy.exc import OperationalError

from bot.booking.models import AvailabilityCheck
from bot.channels.models import InboundMessage, InboundStatus, OutboundMessage
from bot.config import VAR, Settings
from bot.db import make_engine, utcnow
from bot.pan.models import PanMessage
from bot.scheduler.models import ScheduledMessage, SendStatus

# Retention in days when --older-than is not given (README, "Personal data").
CONVERSATION_DAYS = 90
JOURNAL_DAYS = 365
RASA_TRACKER_URL = f"sqlite:///{VAR / 'rasa-tracker.db'}"
# A message still to answer or to send is never deleted, whatever its age.
_OPEN_INBOUND = (
    InboundStatus.RECEIVED.value,
    InboundStatus.QUEUED.value,
    InboundStatus.WAITING.value,
)
_OPEN_SCHEDULED = (SendStatus.PENDING.value,)


@dataclass(frozen=True)
class Retention:
    conversations: timedelta = timedelta(days=CONVERSATION_DAYS)
    journals: timedelta = timedelta(days=JOURNAL_DAYS)

    @classmethod
    def uniform(cls, days: int) -> Retention:
        return cls(timedelta(days=days), timedelta(days=days))


def purge(
    engine: Engine,
    tracker_engine: Engine | None,
    retention: Retention,
    *,
    now: datetime,
    dry_run: bool = False,
    progress: Callable[[str], None] = print,
) -> dict[str, int]:
    """Deletes (or, with dry_run, counts) what is past its retention; returns counts per store."""
    talk = now - retention.conversations
    journal = now - retention.journals
    old_inbound = and_(
        InboundMessage.received_at < talk, InboundMessage.status.not_in(_OPEN_INBOUND)
    )
    old_outbound = or_(
        OutboundMessage.created_at < talk,
        OutboundMessage.inbound_id.in_(select(InboundMessage.id).where(old_inbound)),
    )
    old_scheduled = and_(
        ScheduledMessage.created_at < talk, ScheduledMessage.status.not_in(_OPEN_SCHEDULED)
    )
    steps = [
        ("conversation replies", OutboundMessage, old_outbound),
        ("conversation messages", InboundMessage, old_inbound),
        ("scheduler messages", ScheduledMessage, old_scheduled),
        # The mediator page's conversations (bot.pan), like the channels' (90 days).
        ("mediator page messages", PanMessage, PanMessage.at < talk),
        ("search journal entries", AvailabilityCheck, AvailabilityCheck.checked_at < journal),
    ]
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        for label, model, condition in steps:
            count = connection.scalar(select(func.count()).select_from(model).where(condition))
            if count and not dry_run:
                connection.execute(delete(model).where(condition))
            counts[label] = int(count or 0)
            progress(f"{'would delete' if dry_run else 'deleted'} {count} {label}")
    if tracker_engine is not None:
        counts["Rasa tracker events"] = _purge_trackers(
            tracker_engine, talk, dry_run=dry_run, progress=progress
        )
    return counts


def _purge_trackers(
    engine: Engine, before: datetime, *, dry_run: bool, progress: Callable[[str], None]
) -> int:
    """Rasa's SQL tracker store: `events(sender_id, timestamp, ...)`, timestamps in epoch
    seconds. A conversation keeps its newer events; Rasa reads from the latest session start."""
    cutoff = before.timestamp()
    try:
        with engine.begin() as connection:
            count = connection.scalar(
                text("SELECT count(*) FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}
            )
            if count and not dry_run:
                connection.execute(
                    text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}
                )
    except OperationalError:
        progress("no Rasa tracker store found: nothing to delete there")
        return 0
    progress(f"{'would delete' if dry_run else 'deleted'} {count} Rasa tracker events")
    return int(count or 0)


def cmd_purge(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    retention = Retention() if args.older_than is None else Retention.uniform(args.older_than)
    tracker_url = args.rasa_tracker_url or os.environ.get(
        "GUICHET_RASA_TRACKER_URL", RASA_TRACKER_URL
    )
    engine = make_engine(settings.database_url)
    missing = tracker_url.startswith("sqlite:///") and not Path(tracker_url[10:]).exists()
    tracker_engine = None if missing else make_engine(tracker_url)
    try:
        purge(
            engine,
            tracker_engine,
            retention,
            now=utcnow(),
            dry_run=args.dry_run,
            progress=lambda line: print(f"guichet purge: {line}"),
        )
    finally:
        engine.dispose()
        if tracker_engine is not None:
            tracker_engine.dispose()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "purge", help="delete conversations, Rasa trackers and journals past their retention"
    )
    parser.add_argument(
        "--older-than",
        type=int,
        metavar="DAYS",
        help=f"one retention for everything (default: {CONVERSATION_DAYS} days for "
        f"conversations, trackers and sent messages, {JOURNAL_DAYS} for the search journal)",
    )
    parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    parser.add_argument(
        "--rasa-tracker-url",
        help=f"Rasa's SQL tracker store (default GUICHET_RASA_TRACKER_URL, else {RASA_TRACKER_URL})",
    )
    parser.set_defaults(func=cmd_purge)
