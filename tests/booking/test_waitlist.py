"""The fair waitlist: priority, offers held for one person, accept/decline/expiry, hand-over."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.booking import bookings, offers, publishing, waitlist
from bot.booking.bookings import BookRequest
from bot.booking.models import (
    OfferStatus,
    OpeningRange,
    Slot,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from bot.booking.waitlist import WaitlistRequest
from bot.scheduler import dispatch, planning
from tests.support import world
from tests.support.booking import refused
from tests.support.world import CONFIG, PHONE_A, PHONE_B, PHONE_C, RESIDENT

PHONE_D = "+33622334455"


@pytest.fixture
def db(any_factory, clock):
    """A world whose opening range is not published yet: no slot at all, as in seed 001."""
    with any_factory.begin() as session:
        world.build(session, now=clock())
    return any_factory


def join(factory, clock, phone, rights_end=None, **kw):
    with factory.begin() as session:
        entry = waitlist.join(
            session,
            CONFIG,
            WaitlistRequest(
                phone=phone,
                demarche_code=RESIDENT,
                site_code="pref-24",
                rights_end=rights_end,
                **kw,
            ),
            now=clock(),
        )
        return entry.id


def publish(factory, clock, **kw):
    with factory.begin() as session:
        return publishing.publish(session, CONFIG, now=clock(), demarche_code=RESIDENT, **kw)


def pending(factory, phone):
    with factory() as session:
        return offers.offers_of(session, phone)


def test_priority_rights_end_first_then_request_time(db, clock):
    join(db, clock, PHONE_A)  # no date: last
    clock.advance(minutes=1)
    join(db, clock, PHONE_B, rights_end=date(2026, 3, 1))
    clock.advance(minutes=1)
    join(db, clock, PHONE_C, rights_end=date(2026, 2, 1))  # rights run out first
    clock.advance(minutes=1)
    join(db, clock, PHONE_D, rights_end=date(2026, 3, 1))  # same date as B, later
    with db() as session:
        positions = {
            e.applicant.phone: waitlist.position(session, e)
            for e in session.scalars(select(WaitlistEntry))
        }
    assert positions == {PHONE_C: 1, PHONE_B: 2, PHONE_D: 3, PHONE_A: 4}
    # Publishing one day of 6 slots × 1 guichet: the 4 people get one offer each, in that order.
    publish(db, clock, date_from=date(2026, 1, 13), date_to=date(2026, 1, 13))
    with db() as session:
        offers = session.scalars(select(WaitlistOffer).order_by(WaitlistOffer.id)).all()
        assert [o.entry.applicant.phone for o in offers] == [PHONE_C, PHONE_B, PHONE_D, PHONE_A]
        assert [o.slot.starts_at.hour for o in offers] == [
            13,
            13,
            13,
            14,
        ]  # UTC: 14h00, 14h20, 14h40, 15h00 Paris
        assert all(o.expires_at - o.offered_at == timedelta(hours=12) for o in offers)


def test_a_held_place_cannot_be_booked_by_someone_else(db, clock):
    join(db, clock, PHONE_A)
    publish(db, clock, date_from=date(2026, 1, 13), date_to=date(2026, 1, 13))
    offer = pending(db, PHONE_A)[0]
    with refused("slot_full"), db.begin() as session:
        bookings.book(
            session, CONFIG, BookRequest(slot_id=offer.slot_id, phone=PHONE_B), now=clock()
        )


def test_accept_turns_the_offer_into_a_booking(db, clock):
    entry_id = join(db, clock, PHONE_A)
    publish(db, clock)
    offer = pending(db, PHONE_A)[0]
    with refused("offer_not_found"), db.begin() as session:
        offers.accept(session, CONFIG, offer.id, PHONE_B, now=clock())
    with db.begin() as session:
        booking = offers.accept(session, CONFIG, offer.id, PHONE_A, now=clock())
        assert booking.slot_id == offer.slot_id
    with db() as session:
        assert session.get(WaitlistEntry, entry_id).status == WaitlistStatus.BOOKED
        assert (
            session.get(Slot, offer.slot_id).places_taken == 1
        )  # the held place, not a second one
        assert session.get(WaitlistOffer, offer.id).status == OfferStatus.ACCEPTED
    with refused("offer_closed"), db.begin() as session:
        offers.accept(session, CONFIG, offer.id, PHONE_A, now=clock())


def test_decline_passes_the_place_to_the_next_and_keeps_the_rank(db, clock):
    join(db, clock, PHONE_A, rights_end=date(2026, 2, 1))
    clock.advance(minutes=1)
    join(db, clock, PHONE_B)
    publish(db, clock, date_from=date(2026, 1, 13), date_to=date(2026, 1, 13))
    # Six places, two people: each holds one; A declines hers.
    first_a = pending(db, PHONE_A)[0]
    with db.begin() as session:
        offers.decline(session, CONFIG, first_a.id, PHONE_A, now=clock())
    # A keeps her rank and is offered another free slot; the declined one is free again.
    [again] = pending(db, PHONE_A)
    assert again.slot_id != first_a.slot_id
    with db() as session:
        assert session.get(Slot, first_a.slot_id).places_taken == 0
    assert len(pending(db, PHONE_B)) == 1


def test_offer_expires_after_the_hold_and_cannot_be_accepted(db, clock):
    join(db, clock, PHONE_A)
    publish(db, clock, date_from=date(2026, 1, 13), date_to=date(2026, 1, 13))
    offer_a = pending(db, PHONE_A)[0]
    clock.advance(hours=11, minutes=59)
    with db.begin() as session:
        assert offers.expire_offers(session, CONFIG, now=clock()) == []
    clock.advance(minutes=2)
    with refused("offer_expired"), db.begin() as session:
        offers.accept(session, CONFIG, offer_a.id, PHONE_A, now=clock())
    with db.begin() as session:
        expired = offers.expire_offers(session, CONFIG, now=clock())
        assert [o.id for o in expired] == [offer_a.id]
    with db() as session:
        assert session.get(Slot, offer_a.slot_id).places_taken == 0
    # A keeps her place in the queue and is offered another slot, never the one she let go.
    [again] = pending(db, PHONE_A)
    assert again.slot_id != offer_a.slot_id


def test_single_place_offered_once_then_to_next_after_expiry(db, clock):
    """One place, two people: never offered to both at once; expiry hands it to the second."""
    with db.begin() as session:
        rng = session.scalars(
            select(OpeningRange).where(OpeningRange.demarche_code == RESIDENT)
        ).one()
        rng.end_time = rng.start_time.replace(minute=20)  # one 20-minute slot per Tuesday
    join(db, clock, PHONE_A, rights_end=date(2026, 2, 1))
    clock.advance(minutes=1)
    join(db, clock, PHONE_B)
    publish(db, clock, date_from=date(2026, 1, 13), date_to=date(2026, 1, 13))
    assert len(pending(db, PHONE_A)) == 1 and pending(db, PHONE_B) == []
    clock.advance(hours=13)
    with db.begin() as session:
        offers.expire_offers(session, CONFIG, now=clock())
    assert pending(db, PHONE_A) == []
    offer_b = pending(db, PHONE_B)[0]
    with db.begin() as session:
        offers.accept(session, CONFIG, offer_b.id, PHONE_B, now=clock())
    with db() as session:
        slot = session.get(Slot, offer_b.slot_id)
        assert slot.places_taken == slot.capacity == 1
        # A is waiting again (keeps her rank) but is not offered the place she let expire.
        assert session.scalar(select(func.count()).select_from(WaitlistOffer)) == 2


def test_freed_place_is_offered_before_anyone_can_race_for_it(db, clock):
    with db.begin() as session:
        rng = session.scalars(
            select(OpeningRange).where(OpeningRange.demarche_code == RESIDENT)
        ).one()
        rng.end_time = rng.start_time.replace(minute=20)
    publish(db, clock, date_from=date(2026, 1, 13), date_to=date(2026, 1, 13))
    with db() as session:
        slot_id = world.slots(session)[0].id
    with db.begin() as session:
        booking = bookings.book(
            session, CONFIG, BookRequest(slot_id=slot_id, phone=PHONE_A), now=clock()
        )
    join(db, clock, PHONE_B)  # nothing free: B waits
    assert pending(db, PHONE_B) == []
    with db.begin() as session:
        bookings.cancel(session, CONFIG, booking.code, phone=PHONE_A, now=clock())
    offer = pending(db, PHONE_B)[0]
    assert offer.slot_id == slot_id
    with refused("slot_full"), db.begin() as session:
        bookings.book(session, CONFIG, BookRequest(slot_id=slot_id, phone=PHONE_C), now=clock())


def test_join_with_a_free_place_gets_an_offer_at_once(db, clock):
    publish(db, clock)
    join(db, clock, PHONE_A, not_before=date(2026, 2, 1), part_of_day="afternoon")
    offer = pending(db, PHONE_A)[0]
    assert offer.slot.starts_at.date() >= date(2026, 2, 1)


def test_preferences_are_respected(db, clock):
    join(db, clock, PHONE_A, part_of_day="morning")  # the range is afternoon only
    join(db, clock, PHONE_B, not_after=date(2026, 1, 12))  # before the first Tuesday
    publish(db, clock)
    assert pending(db, PHONE_A) == [] and pending(db, PHONE_B) == []


def test_join_refusals(db, clock):
    join(db, clock, PHONE_A)
    with refused("already_waiting"):
        join(db, clock, "06 12 34 56 78")
    with refused("invalid_phone"):
        join(db, clock, "12")
    with refused("invalid_dates"):
        join(db, clock, PHONE_B, not_before=date(2026, 3, 1), not_after=date(2026, 2, 1))
    with refused("invalid_dates"):
        join(db, clock, PHONE_B, not_after=date(2026, 1, 1))
    with refused("demarche_not_offered"), db.begin() as session:
        waitlist.join(
            session, CONFIG, WaitlistRequest(PHONE_B, "duplicata_titre", "pref-38"), now=clock()
        )
    publish(db, clock)
    with db() as session:
        slot_id = world.slots(session)[-1].id
    with db.begin() as session:
        bookings.book(session, CONFIG, BookRequest(slot_id=slot_id, phone=PHONE_C), now=clock())
    with refused("already_booked"):
        join(db, clock, PHONE_C)


def test_leave_with_a_pending_offer_passes_the_place_on(db, clock):
    with db.begin() as session:
        rng = session.scalars(
            select(OpeningRange).where(OpeningRange.demarche_code == RESIDENT)
        ).one()
        rng.end_time = rng.start_time.replace(minute=20)
    entry_a = join(db, clock, PHONE_A, rights_end=date(2026, 2, 1))
    join(db, clock, PHONE_B)
    publish(db, clock, date_from=date(2026, 1, 13), date_to=date(2026, 1, 13))
    with refused("waitlist_entry_not_found"), db.begin() as session:
        waitlist.leave(session, CONFIG, entry_a, PHONE_B, now=clock())
    with db.begin() as session:
        assert (
            waitlist.leave(session, CONFIG, entry_a, PHONE_A, now=clock()).status
            == WaitlistStatus.LEFT
        )
    assert len(pending(db, PHONE_B)) == 1


def test_offers_to_notify_for_the_scheduler(db, clock):
    join(db, clock, PHONE_A)
    publish(db, clock)
    with db() as session:
        [offer] = planning.offers_to_notify(session)
    with db.begin() as session:
        dispatch.mark_offer_notified(session, offer.id, now=clock())
    with db() as session:
        assert planning.offers_to_notify(session) == []
