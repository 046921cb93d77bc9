"""`guichet bench scheduler`: what the exactly-once outbox costs per message on SQLite
(plan, claim-commit, record-commit), with a provider that answers at once, so the figure is
ours alone."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import select

from bot.booking import bookings, publishing
from bot.booking.config import EngineConfig
from bot.booking.models import DemarcheRow, OpeningRange, SiteDemarche, SiteRow, Slot
from bot.db import make_engine, make_session_factory, upgrade
from bot.scheduler.notifier import Envelope, Receipt
from bot.scheduler.worker import Worker

CONFIG = EngineConfig("bench-key", timedelta(hours=12))
BOOKINGS = 300


class InstantProvider:
    """Accepts every message at once: the benchmark measures the outbox, not a network."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, envelope: Envelope) -> Receipt:
        self.sent += 1
        return Receipt(f"BENCH{self.sent}")

    def find_sent(self, envelope: Envelope, since: datetime) -> Receipt | None:
        return None


def _outbox_per_message(path: Path) -> tuple[float, int]:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    factory = make_session_factory(engine)
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    with factory.begin() as session:
        session.add_all(
            [
                SiteRow(
                    code="pref-38",
                    name="Préfecture de l'Isère",
                    departement="38",
                    address="Grenoble",
                ),
                DemarcheRow(
                    code="carte_resident_renouvellement",
                    name="Carte de résident",
                    slot_minutes=20,
                    horizon_days=60,
                ),
            ]
        )
        session.flush()
        session.add(
            SiteDemarche(site_code="pref-38", demarche_code="carte_resident_renouvellement")
        )
        session.add(
            OpeningRange(
                site_code="pref-38",
                demarche_code="carte_resident_renouvellement",
                weekday=2,
                start_time=clock_time(9),
                end_time=clock_time(17),
                guichets=BOOKINGS,
                valid_from=date(2026, 1, 1),
            )
        )
        session.flush()
        publishing.publish(
            session, CONFIG, now=now, date_from=date(2026, 1, 14), date_to=date(2026, 1, 14)
        )
        slot = session.scalars(select(Slot).order_by(Slot.starts_at)).first()
        assert slot is not None
        for index in range(BOOKINGS):
            bookings.book(
                session, CONFIG, bookings.BookRequest(slot.id, f"+3361{index:07d}"), now=now
            )
    provider = InstantProvider()
    worker = Worker(
        factory, CONFIG, provider, clock=lambda: datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    )
    started = time.perf_counter()
    while provider.sent < BOOKINGS:
        worker.tick()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return 1000 * elapsed / BOOKINGS, provider.sent


def run_benchmark() -> None:
    per_message = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(3):
            ms, sent = _outbox_per_message(Path(folder) / f"bench{run}.db")
            per_message.append(ms)
    print(
        f"outbox, {BOOKINGS} reminders planned+claimed+recorded: "
        f"median {statistics.median(per_message):.2f} ms per message (3 runs, SQLite file)"
    )
    print("fairness figures: `guichet simulate release --seed N` (a benchmark of its own)")
