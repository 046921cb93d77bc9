"""Property-based: random sequences of publish / book / cancel / reschedule / waitlist / offer
accept, decline and expiry keep every invariant of the engine (on a real SQLite database)."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.booking import bookings, offers, publishing, waitlist
from bot.booking.bookings import BookRequest
from bot.booking.errors import BookingError
from bot.booking.models import (
    Booking,
    BookingStatus,
    OfferStatus,
    Slot,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from bot.booking.waitlist import WaitlistRequest
from bot.db import make_engine, make_session_factory
from tests.support import world
from tests.support.world import CONFIG, RESIDENT

PHONES = [f"+3361234{i:04d}" for i in range(6)]
NUMEROS = [None, "1234567890", "9876543210"]
START = datetime(2026, 1, 12, 8, tzinfo=UTC)

operation = st.one_of(
    st.tuples(st.just("book"), st.integers(0, 30), st.integers(0, 5), st.sampled_from(NUMEROS)),
    st.tuples(st.just("cancel"), st.integers(0, 30), st.booleans()),
    st.tuples(st.just("reschedule"), st.integers(0, 30), st.integers(0, 30)),
    st.tuples(st.just("join"), st.integers(0, 5), st.one_of(st.none(), st.integers(1, 90))),
    st.tuples(st.just("accept"), st.integers(0, 30)),
    st.tuples(st.just("decline"), st.integers(0, 30)),
    st.tuples(st.just("leave"), st.integers(0, 30)),
    st.tuples(st.just("advance"), st.integers(1, 30)),
    st.tuples(st.just("publish_week")),
)


def check_invariants(session) -> None:
    slots = session.scalars(select(Slot)).all()
    bookings = session.scalars(select(Booking).where(Booking.status == BookingStatus.BOOKED)).all()
    offers = session.scalars(
        select(WaitlistOffer).where(WaitlistOffer.status == OfferStatus.PENDING)
    ).all()
    held = Counter(b.slot_id for b in bookings) + Counter(o.slot_id for o in offers)
    for slot in slots:
        assert 0 <= slot.places_taken <= slot.capacity
        assert slot.places_taken == held[slot.id], f"slot {slot.id}: counter drifted"
    per_person = Counter((b.applicant_id, b.demarche_code) for b in bookings)
    assert max(per_person.values(), default=0) <= 1
    per_numero = Counter(
        (b.numero_etranger_hash, b.demarche_code) for b in bookings if b.numero_etranger_hash
    )
    assert max(per_numero.values(), default=0) <= 1
    per_entry = Counter(o.entry_id for o in offers)
    assert max(per_entry.values(), default=0) <= 1
    for entry in session.scalars(select(WaitlistEntry)).all():
        assert (entry.status == WaitlistStatus.OFFERED) == (per_entry[entry.id] == 1)


def run(factory, clock: list[datetime], op: tuple) -> None:
    kind, *args = op
    now = clock[0]
    with factory() as session:
        slot_ids = [s.id for s in session.scalars(select(Slot).order_by(Slot.id))]
        codes = [
            (b.code, b.applicant.phone)
            for b in session.scalars(select(Booking).order_by(Booking.id))
        ]
        held_offers = [
            (o.id, o.entry.applicant.phone)
            for o in session.scalars(select(WaitlistOffer).order_by(WaitlistOffer.id))
        ]
        entries = [
            (e.id, e.applicant.phone)
            for e in session.scalars(select(WaitlistEntry).order_by(WaitlistEntry.id))
        ]
    pick = lambda items, i: items[i % len(items)] if items else None  # noqa: E731
    with factory() as session:
        try:
            if kind == "book" and slot_ids:
                bookings.book(
                    session,
                    CONFIG,
                    BookRequest(
                        slot_id=pick(slot_ids, args[0]),
                        phone=PHONES[args[1]],
                        numero_etranger=args[2],
                    ),
                    now=now,
                )
            elif kind == "cancel" and codes:
                code, owner = pick(codes, args[0])
                bookings.cancel(
                    session, CONFIG, code, phone=owner if args[1] else PHONES[0], now=now
                )
            elif kind == "reschedule" and codes and slot_ids:
                code, owner = pick(codes, args[0])
                bookings.reschedule(
                    session, CONFIG, code, pick(slot_ids, args[1]), phone=owner, now=now
                )
            elif kind == "join":
                rights = date(2026, 1, 12) + timedelta(days=args[1]) if args[1] else None
                waitlist.join(
                    session,
                    CONFIG,
                    WaitlistRequest(PHONES[args[0]], RESIDENT, "pref-24", rights_end=rights),
                    now=now,
                )
            elif kind in ("accept", "decline") and held_offers:
                offer_id, owner = pick(held_offers, args[0])
                getattr(offers, kind)(session, CONFIG, offer_id, owner, now=now)
            elif kind == "leave" and entries:
                entry_id, owner = pick(entries, args[0])
                waitlist.leave(session, CONFIG, entry_id, owner, now=now)
            elif kind == "advance":
                clock[0] = now + timedelta(hours=args[0])
                offers.expire_offers(session, CONFIG, now=clock[0])
            elif kind == "publish_week":
                publishing.publish(
                    session,
                    CONFIG,
                    now=now,
                    demarche_code=RESIDENT,
                    date_to=(now + timedelta(days=8)).date(),
                )
            session.commit()
        except BookingError:
            session.rollback()
    with factory() as session:
        check_invariants(session)


@pytest.fixture
def template_path(_migrated_sqlite_template):
    return _migrated_sqlite_template


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=5, max_size=30))
def test_random_sequences_keep_every_invariant(template_path, tmp_path_factory, ops):
    path = tmp_path_factory.mktemp("prop") / "db.sqlite"
    shutil.copyfile(template_path, path)
    engine = make_engine(f"sqlite:///{path}")
    factory = make_session_factory(engine)
    clock = [START]
    try:
        with factory.begin() as session:
            world.build(session, now=START)
            # Scarcity on purpose: one Tuesday (6 single places) to start with.
            publishing.publish(
                session, CONFIG, now=START, demarche_code=RESIDENT, date_to=date(2026, 1, 13)
            )
        for op in ops:
            run(factory, clock, op)
    finally:
        engine.dispose()
