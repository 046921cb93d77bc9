"""`guichet bench resilience_api`: the booking API as an attacker meets it (issue 13).

Three figures from one run, in process on a fresh SQLite database:
- fuzzed requests / 5xx: every route of the OpenAPI, plausible and hostile requests mixed
  (tests/support/fuzz.py);
- forged requests refused / tried: calls acting for a real applicant's phone (their bookings,
  proof, cancel, waitlist, offers, alerts, searches into their journal) with no credential or
  a made-up one;
- unauthenticated calls that acted for a phone: forged calls answered 2xx, plus any row the
  forged phase added or changed (bookings, waitlist, journal, alerts).

`resilience_figures()` returns them for `guichet bench resilience` (benchmarks/resilience.py).
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.booking.models import AvailabilityCheck, Booking, BookingStatus, WaitlistEntry
from bot.db import make_engine, make_session_factory, upgrade
from bot.scheduler.models import DeadlineSubscription
from tests.support.fuzz import Tally, fuzz
from tests.support.fuzz_world import fuzzing
from tests.support.world import PHONE_A, PHONE_B, RESIDENT

FUZZED = 10_000
FORGED = 2_000
SEED = 13


@dataclass(frozen=True)
class ApiFigures:
    fuzzed: int
    server_errors: int
    forged_tried: int
    forged_refused: int
    acted_for_a_phone: int

    def lines(self) -> list[str]:
        return [
            f"fuzzed requests / 5xx                          {self.fuzzed} / {self.server_errors}",
            f"forged requests refused / tried                {self.forged_refused} / {self.forged_tried}",
            f"unauthenticated calls that acted for a phone   {self.acted_for_a_phone}",
        ]


def _footprint(factory: sessionmaker[Session]) -> tuple[int, ...]:
    """What a call acting for a phone would change: rows and live bookings."""
    with factory() as session:
        return (
            session.scalar(select(func.count()).select_from(Booking)) or 0,
            session.scalar(
                select(func.count())
                .select_from(Booking)
                .where(Booking.status == BookingStatus.BOOKED)
            )
            or 0,
            session.scalar(select(func.count()).select_from(WaitlistEntry)) or 0,
            session.scalar(select(func.count()).select_from(AvailabilityCheck)) or 0,
            session.scalar(select(func.count()).select_from(DeadlineSubscription)) or 0,
        )


def _forge(client, codes: list[str], rng: random.Random, count: int) -> Tally:
    """Calls acting for the world's applicants, without a credential or with a forged one."""
    tally = Tally()
    for _ in range(count):
        phone = rng.choice([PHONE_A, PHONE_B, "06 12 34 56 78"])
        code = rng.choice(codes)
        method, path, body = rng.choice(
            [
                ("POST", "/api/v1/bookings/mine", {"phone": phone}),
                ("POST", f"/api/v1/bookings/{code}/cancel", {"phone": phone}),
                ("POST", f"/api/v1/bookings/{code}/reschedule", {"phone": phone, "new_slot_id": 3}),
                ("POST", "/api/v1/bookings", {"slot_id": 3, "phone": phone}),
                ("POST", "/api/v1/proof", {"phone": phone}),
                (
                    "POST",
                    "/api/v1/slots/search",
                    {"demarche": RESIDENT, "site": "pref-24", "phone": phone},
                ),
                (
                    "POST",
                    "/api/v1/waitlist",
                    {"phone": phone, "demarche": RESIDENT, "site": "pref-24"},
                ),
                ("POST", "/api/v1/waitlist/mine", {"phone": phone}),
                ("POST", "/api/v1/offers/mine", {"phone": phone}),
                ("POST", "/api/v1/offers/1/accept", {"phone": phone}),
                (
                    "POST",
                    "/api/deadline-alerts",
                    {"phone": phone, "demarche": RESIDENT, "expiry": "2026-06-30"},
                ),
                ("POST", "/api/deadline-alerts/cancel", {"phone": phone, "demarche": RESIDENT}),
                ("POST", "/api/v1/admin/publish", {}),
            ]
        )
        headers = rng.choice(
            [{}, {"Authorization": "Bearer guess"}, {"Authorization": "Bearer gk_" + "x" * 43}]
        )
        response = client.request(method, path, json=body, headers=headers)
        tally.sent += 1
        tally.forged_tried += 1
        if 400 <= response.status_code < 500:
            tally.forged_refused += 1
        elif response.status_code < 300:
            tally.forged_acted.append(f"{method} {path}")
        if response.status_code >= 500:
            tally.server_errors.append(f"{method} {path}")
    return tally


def resilience_figures(fuzzed: int = FUZZED, forged: int = FORGED, seed: int = SEED) -> ApiFigures:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'fuzz.db'}")
        upgrade(engine)
        factory = make_session_factory(engine)
        clock = lambda: datetime(2026, 1, 12, 8, 0, tzinfo=UTC)  # noqa: E731 (a fixed Monday)
        try:
            with fuzzing(factory, clock, seed) as (client, fuzzer):
                with factory() as session:
                    codes = list(session.scalars(select(Booking.code)))
                before = _footprint(factory)
                forged_tally = _forge(client, codes, random.Random(seed), forged)
                changed = int(_footprint(factory) != before)
                fuzz_tally = fuzz(client, fuzzer, fuzzed)
        finally:
            engine.dispose()
    return ApiFigures(
        fuzzed=fuzz_tally.sent,
        server_errors=len(fuzz_tally.server_errors) + len(forged_tally.server_errors),
        forged_tried=forged_tally.forged_tried + fuzz_tally.forged_tried,
        forged_refused=forged_tally.forged_refused + fuzz_tally.forged_refused,
        acted_for_a_phone=len(forged_tally.forged_acted) + len(fuzz_tally.forged_acted) + changed,
    )


def run_benchmark() -> None:
    figures = resilience_figures()
    for line in figures.lines():
        print(f"    {line}")
