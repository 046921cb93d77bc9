"""Real concurrency: 200 simultaneous attempts for 10 places → exactly 10 bookings, 190 clear
refusals, no error — on PostgreSQL (threads, one connection each) and on SQLite (file, WAL)."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from bot.booking import bookings, offers, publishing, waitlist
from bot.booking.bookings import BookRequest
from bot.booking.errors import BookingError
from bot.booking.models import Booking, BookingStatus, OpeningRange, Slot, WaitlistOffer
from bot.booking.waitlist import WaitlistRequest
from tests.support import world
from tests.support.world import CONFIG, RESIDENT

ATTEMPTS = 200
PLACES = 10


def _one_slot_world(factory, clock, guichets: int) -> int:
    with factory.begin() as session:
        world.build(session, guichets=guichets, now=clock())
        rng = session.scalars(
            select(OpeningRange).where(OpeningRange.demarche_code == RESIDENT)
        ).one()
        rng.start_time, rng.end_time = time(14), time(14, 20)
        publishing.publish(
            session, CONFIG, now=clock(), date_from=date(2026, 1, 13), date_to=date(2026, 1, 13)
        )
    with factory() as session:
        [slot] = world.slots(session)
        return slot.id


def _race(factory, clock, slot_id: int, phones: list[str]) -> Counter[str]:
    barrier = threading.Barrier(min(len(phones), 50))

    def attempt(phone: str) -> str:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=30)
        try:
            with factory.begin() as session:
                bookings.book(
                    session, CONFIG, BookRequest(slot_id=slot_id, phone=phone), now=clock()
                )
            return "booked"
        except BookingError as refusal:
            return refusal.code

    with ThreadPoolExecutor(max_workers=50) as pool:
        return Counter(pool.map(attempt, phones))


def _phones(n: int) -> list[str]:
    return [f"+336{i:08d}" for i in range(10_000_000, 10_000_000 + n)]


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_200_attempts_for_10_places(request, clock, backend):
    factory = request.getfixturevalue(f"{backend}_factory")
    slot_id = _one_slot_world(factory, clock, guichets=PLACES)
    outcomes = _race(factory, clock, slot_id, _phones(ATTEMPTS))
    assert outcomes == Counter({"booked": PLACES, "slot_full": ATTEMPTS - PLACES})
    with factory() as session:
        assert session.get(Slot, slot_id).places_taken == PLACES
        assert (
            session.scalar(
                select(func.count(Booking.id)).where(Booking.status == BookingStatus.BOOKED)
            )
            == PLACES
        )


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_same_person_racing_themself_gets_one_booking(request, clock, backend):
    factory = request.getfixturevalue(f"{backend}_factory")
    slot_id = _one_slot_world(factory, clock, guichets=PLACES)
    outcomes = _race(factory, clock, slot_id, ["+33612345678"] * 20)
    assert outcomes == Counter({"booked": 1, "already_booked": 19})
    with factory() as session:
        assert session.get(Slot, slot_id).places_taken == 1


@pytest.mark.postgres
def test_concurrent_decline_and_expiry_settle_the_offer_once(postgres_factory, clock):
    slot_id = _one_slot_world(postgres_factory, clock, guichets=2)
    keeper, leaver, waiter = "+33611111111", "+33612345678", "+33698765432"
    with postgres_factory.begin() as session:
        bookings.book(session, CONFIG, BookRequest(slot_id=slot_id, phone=keeper), now=clock())
        booking = bookings.book(
            session, CONFIG, BookRequest(slot_id=slot_id, phone=leaver), now=clock()
        )
    with postgres_factory.begin() as session:
        waitlist.join(session, CONFIG, WaitlistRequest(waiter, RESIDENT, "pref-24"), now=clock())
    with postgres_factory.begin() as session:
        bookings.cancel(
            session, CONFIG, booking.code, phone=leaver, now=clock()
        )  # offered to waiter
    with postgres_factory() as session:
        offer_id = session.scalar(select(WaitlistOffer.id))
    expiry = clock.advance(hours=12)
    just_before = expiry - timedelta(minutes=1)

    def decline() -> str:
        try:
            with postgres_factory.begin() as session:
                offers.decline(session, CONFIG, offer_id, waiter, now=just_before)
            return "declined"
        except BookingError as refusal:
            return refusal.code

    def expire() -> str:
        with postgres_factory.begin() as session:
            return f"expired:{len(offers.expire_offers(session, CONFIG, now=expiry))}"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [
            f.result() for f in [pool.submit(expire if i % 2 else decline) for i in range(8)]
        ]
    winners = [r for r in results if r in ("declined", "expired:1")]
    assert len(winners) == 1, results
    with postgres_factory() as session:
        # The keeper's place stays taken: the offer's place was released exactly once.
        assert session.get(Slot, slot_id).places_taken == 1
