"""Every engine rule and refusal, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.booking import bookings, proof, reports, slots
from bot.booking.bookings import BookRequest
from bot.booking.models import Applicant, AvailabilityCheck, Booking, BookingStatus, Slot
from bot.booking.slots import SearchRequest
from tests.support import world
from tests.support.booking import refused
from tests.support.world import CONFIG, DUPLICATA, NUMERO, PHONE_A, PHONE_B, RESIDENT


def book(factory, clock, slot_id, phone=PHONE_A, **kw):
    with factory.begin() as session:
        return bookings.book(
            session, CONFIG, BookRequest(slot_id=slot_id, phone=phone, **kw), now=clock()
        )


def first_slot_id(factory, demarche=RESIDENT):
    with factory() as session:
        return world.slots(session, demarche)[0].id


def places_taken(factory, slot_id):
    with factory() as session:
        return session.get(Slot, slot_id).places_taken


def test_publishing_yields_seed_000_schedule(db):
    with db() as session:
        slots = world.slots(session)
    # Tuesdays 14h-16h in 20 minutes = 6 slots a day, over the 60-day horizon (9 Tuesdays).
    assert len(slots) == 54
    first = slots[0].starts_at
    assert (first.year, first.month, first.day, first.hour, first.minute) == (2026, 1, 13, 13, 0)
    assert all(s.ends_at - s.starts_at == timedelta(minutes=20) for s in slots)


def test_book_returns_code_and_takes_a_place(db, clock):
    slot_id = first_slot_id(db)
    booking = book(db, clock, slot_id, phone="06 12 34 56 78", language="ar")
    assert len(booking.code) == 8 and booking.status == BookingStatus.BOOKED
    assert places_taken(db, slot_id) == 1
    with db() as session:
        applicant = session.scalars(select(Applicant)).one()
        assert applicant.phone == PHONE_A and applicant.language == "ar"


def test_slot_never_exceeds_capacity(db, clock):
    slot_id = first_slot_id(db)
    book(db, clock, slot_id, PHONE_A)
    with refused("slot_full"):
        book(db, clock, slot_id, PHONE_B)
    assert places_taken(db, slot_id) == 1


def test_one_active_booking_per_phone_and_demarche(db, clock):
    with db() as session:
        first, second = world.slots(session)[:2]
    book(db, clock, first.id, PHONE_A)
    with refused("already_booked"):
        book(db, clock, second.id, "+33 6 12 34 56 78")
    assert places_taken(db, second.id) == 0


def test_one_active_booking_per_numero_etranger_even_from_another_phone(db, clock):
    with db() as session:
        first, second = world.slots(session)[:2]
    book(db, clock, first.id, PHONE_A, numero_etranger=NUMERO)
    with refused("already_booked_numero_etranger"):
        book(db, clock, second.id, PHONE_B, numero_etranger="12 3456 7890")
    assert places_taken(db, second.id) == 0


def test_database_refuses_a_second_active_booking_even_without_the_python_check(db, clock):
    """The partial unique index is the real guard (the pre-check only gives a clearer reason)."""
    from sqlalchemy.exc import IntegrityError

    with db() as session:
        first, second = world.slots(session)[:2]
    original = book(db, clock, first.id, PHONE_A)
    with pytest.raises(IntegrityError), db.begin() as session:
        session.add(
            Booking(
                code="ABCDEFGH",
                slot_id=second.id,
                applicant_id=original.applicant_id,
                demarche_code=RESIDENT,
                status=BookingStatus.BOOKED,
                created_at=clock(),
                reschedule_count=0,
            )
        )


def test_database_check_refuses_overbooking(db):
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    slot_id = first_slot_id(db)
    with pytest.raises(IntegrityError), db.begin() as session:
        session.execute(update(Slot).where(Slot.id == slot_id).values(places_taken=2))


def test_a_cancelled_booking_allows_a_new_one(db, clock):
    with db() as session:
        first, second = world.slots(session)[:2]
    booking = book(db, clock, first.id, PHONE_A)
    with db.begin() as session:
        bookings.cancel(session, CONFIG, booking.code, phone=PHONE_A, now=clock())
    assert book(db, clock, second.id, PHONE_A).status == BookingStatus.BOOKED


def test_numero_etranger_required_when_the_demarche_needs_it(db, clock):
    slot_id = first_slot_id(db, DUPLICATA)
    with refused("numero_etranger_required"):
        book(db, clock, slot_id, PHONE_A)
    with refused("invalid_numero_etranger"):
        book(db, clock, slot_id, PHONE_A, numero_etranger="12345")
    assert book(db, clock, slot_id, PHONE_A, numero_etranger=NUMERO).numero_etranger_hash


def test_numero_etranger_is_stored_only_as_keyed_hash_and_last_digits(db, clock):
    book(db, clock, first_slot_id(db), PHONE_A, numero_etranger=NUMERO)
    with db() as session:
        applicant = session.scalars(select(Applicant)).one()
        assert applicant.numero_etranger_last == "890"
        assert NUMERO not in applicant.numero_etranger_hash
        assert len(applicant.numero_etranger_hash) == 64


@pytest.mark.parametrize("phone", ["123", "not a phone", "+33 1", "06 12"])
def test_invalid_phone_refused(db, clock, phone):
    with refused("invalid_phone"):
        book(db, clock, first_slot_id(db), phone)


def test_unknown_slot_refused(db, clock):
    with refused("slot_not_found"):
        book(db, clock, 999_999)


def test_past_slot_and_beyond_horizon_refused(db, clock):
    with db() as session:
        slots = world.slots(session)
    clock.advance(days=1, hours=6)  # Tuesday 14:00 UTC: the first slots have started
    with refused("slot_in_past"):
        book(db, clock, slots[0].id)
    clock.now = slots[0].starts_at - timedelta(days=70)
    with refused("slot_beyond_horizon"):
        book(db, clock, slots[-1].id)


def test_idempotency_key_gives_one_booking(db, clock):
    slot_id = first_slot_id(db)
    one = book(db, clock, slot_id, PHONE_A, idempotency_key="req-1")
    two = book(db, clock, slot_id, PHONE_A, idempotency_key="req-1")
    assert one.code == two.code
    assert places_taken(db, slot_id) == 1
    with refused("idempotency_conflict"):
        book(db, clock, slot_id, PHONE_B, idempotency_key="req-1")


def test_cancel_needs_the_phone_that_booked_and_frees_the_place(db, clock):
    slot_id = first_slot_id(db)
    booking = book(db, clock, slot_id, PHONE_A)
    with refused("not_your_booking"), db.begin() as session:
        bookings.cancel(session, CONFIG, booking.code, phone=PHONE_B, now=clock())
    with refused("not_your_booking"), db.begin() as session:
        bookings.cancel(session, CONFIG, booking.code, phone=None, now=clock())
    with db.begin() as session:
        bookings.cancel(session, CONFIG, booking.code, phone="06 12 34 56 78", now=clock())
    assert places_taken(db, slot_id) == 0
    assert book(db, clock, slot_id, PHONE_B).status == BookingStatus.BOOKED


def test_a_cancel_replayed_changes_nothing_and_answers_as_the_first(db, clock):
    """Decision 0025: a turn sent again after a crash cancels again; the person must read
    "cancelled", and the place freed once must not be freed twice."""
    with db() as session:
        first, second = world.slots(session)[:2]
    booking = book(db, clock, first.id, PHONE_A)
    other = book(db, clock, second.id, PHONE_B)
    for _ in range(2):
        with db.begin() as session:
            again = bookings.cancel(session, CONFIG, booking.code, phone=PHONE_A, now=clock())
            assert again.status == BookingStatus.CANCELLED
        assert places_taken(db, first.id) == 0
    with refused("not_your_booking"), db.begin() as session:
        bookings.cancel(session, CONFIG, booking.code, phone=PHONE_B, now=clock())
    with db.begin() as session:
        bookings.mark_attendance(session, other.code, True, now=clock() + timedelta(days=400))
    with refused("booking_not_active"), db.begin() as session:
        bookings.cancel(session, CONFIG, other.code, phone=PHONE_B, now=clock())


def test_a_move_replayed_changes_nothing_and_answers_as_the_first(db, clock):
    with db() as session:
        first, second = world.slots(session)[:2]
    booking = book(db, clock, first.id, PHONE_A)
    for _ in range(2):
        with db.begin() as session:
            moved = bookings.reschedule(
                session, CONFIG, booking.code, second.id, phone=PHONE_A, now=clock()
            )
            assert moved.slot_id == second.id and moved.reschedule_count == 1
    assert places_taken(db, first.id) == 0 and places_taken(db, second.id) == 1


def test_a_mediator_string_is_no_credential(db, clock):
    """Only the phone that booked changes a booking; a mediator acts with that phone under the
    applicant's consent, which the API checks (tests/pan)."""
    booking = book(db, clock, first_slot_id(db), PHONE_A, mediator_ref="pan:24")
    assert booking.booked_by.value == "mediator"
    with refused("not_your_booking"), db.begin() as session:
        bookings.cancel(session, CONFIG, booking.code, phone=None, now=clock())
    with db.begin() as session:
        cancelled = bookings.cancel(session, CONFIG, booking.code, phone=PHONE_A, now=clock())
        assert cancelled.status == BookingStatus.CANCELLED


def test_cancel_unknown_and_malformed_codes(db, clock):
    with refused("invalid_code"), db.begin() as session:
        bookings.cancel(session, CONFIG, "O0O0", phone=PHONE_A, now=clock())
    from bot.booking.codes import new_code

    with refused("booking_not_found"), db.begin() as session:
        bookings.cancel(session, CONFIG, new_code(), phone=PHONE_A, now=clock())


def test_reschedule_takes_new_place_then_releases_old(db, clock):
    with db() as session:
        first, second = world.slots(session)[:2]
    booking = book(db, clock, first.id, PHONE_A)
    with db.begin() as session:
        moved = bookings.reschedule(
            session, CONFIG, booking.code, second.id, phone=PHONE_A, now=clock()
        )
        assert moved.code == booking.code and moved.slot_id == second.id
    assert places_taken(db, first.id) == 0
    assert places_taken(db, second.id) == 1


def test_failed_reschedule_leaves_the_old_booking_standing(db, clock):
    with db() as session:
        first, second = world.slots(session)[:2]
    booking = book(db, clock, first.id, PHONE_A)
    book(db, clock, second.id, PHONE_B)
    with refused("slot_full"), db.begin() as session:
        bookings.reschedule(session, CONFIG, booking.code, second.id, phone=PHONE_A, now=clock())
    with db() as session:
        again = session.scalars(select(Booking).where(Booking.code == booking.code)).one()
        assert again.slot_id == first.id and again.status == BookingStatus.BOOKED
    assert places_taken(db, first.id) == 1 and places_taken(db, second.id) == 1


def test_reschedule_refusals(db, clock):
    with db() as session:
        first = world.slots(session)[0]
        other = world.slots(session, DUPLICATA)[0]
    booking = book(db, clock, first.id, PHONE_A)
    for slot_id, code in (
        (first.id, "same_slot"),
        (other.id, "wrong_demarche"),
        (999_999, "slot_not_found"),
    ):
        with refused(code), db.begin() as session:
            bookings.reschedule(session, CONFIG, booking.code, slot_id, phone=PHONE_A, now=clock())
    with refused("not_your_booking"), db.begin() as session:
        bookings.reschedule(session, CONFIG, booking.code, first.id + 1, phone=PHONE_B, now=clock())


def test_verify_says_valid_with_the_slot_and_never_the_phone(db, clock):
    booking = book(db, clock, first_slot_id(db), PHONE_A)
    with db() as session:
        result = bookings.verify(
            session, booking.code.lower()[:4] + "-" + booking.code[4:], now=clock()
        )
        assert result.valid and result.booking.slot.site.code == "pref-24"
        assert not bookings.verify(session, "ABCDEFGH", now=clock()).valid
    with db.begin() as session:
        bookings.cancel(session, CONFIG, booking.code, phone=PHONE_A, now=clock())
    with db() as session:
        result = bookings.verify(session, booking.code, now=clock())
        assert not result.valid and result.reason == "cancelled"


def test_search_journals_every_check_even_when_nothing_is_found(db, clock):
    with db.begin() as session:
        found = slots.search(
            session, SearchRequest(RESIDENT, "pref-24", phone=PHONE_A), now=clock()
        )
        assert found.check.slots_found == 54 and len(found.slots) == 10
        empty = slots.search(
            session,
            SearchRequest(RESIDENT, "pref-24", phone=PHONE_A, part_of_day="morning"),
            now=clock(),
        )
        assert empty.check.slots_found == 0 and empty.check.earliest_start is None
    with db() as session:
        journal = proof.searches_of(session, PHONE_A)
        assert [c.slots_found for c in journal] == [54, 0]
        assert journal[0].earliest_start == found.slots[0].starts_at


def test_search_filters_dates_and_full_slots(db, clock):
    slot_id = first_slot_id(db)
    book(db, clock, slot_id, PHONE_A)
    with db.begin() as session:
        result = slots.search(
            session,
            SearchRequest(
                RESIDENT, "pref-24", date_from=date(2026, 1, 13), date_to=date(2026, 1, 13)
            ),
            now=clock(),
        )
        assert len(result.slots) == 5 and slot_id not in {s.id for s in result.slots}
        assert session.scalar(select(AvailabilityCheck.applicant_id)) is None


def test_search_refusals(db, clock):
    cases = [
        (SearchRequest("nope", "pref-24"), "unknown_demarche"),
        (SearchRequest(RESIDENT, "pref-99"), "unknown_site"),
        (SearchRequest(DUPLICATA, "pref-38"), "demarche_not_offered"),
        (
            SearchRequest(
                RESIDENT, "pref-24", date_from=date(2026, 2, 1), date_to=date(2026, 1, 20)
            ),
            "invalid_dates",
        ),
        (
            SearchRequest(
                RESIDENT, "pref-24", date_from=date(2025, 1, 1), date_to=date(2025, 2, 1)
            ),
            "invalid_dates",
        ),
        (SearchRequest(RESIDENT, "pref-24", phone="12"), "invalid_phone"),
    ]
    for request, code in cases:
        with refused(code), db.begin() as session:
            slots.search(session, request, now=clock())


def test_attendance_and_stats(db, clock):
    with db() as session:
        first, second = world.slots(session)[:2]
    one = book(db, clock, first.id, PHONE_A)
    two = book(db, clock, second.id, PHONE_B)
    with refused("invalid_attendance"), db.begin() as session:
        bookings.mark_attendance(session, one.code, True, now=clock())
    clock.now = second.ends_at
    with db.begin() as session:
        bookings.mark_attendance(session, one.code, True, now=clock())
        bookings.mark_attendance(session, two.code, False, now=clock())
    with db() as session:
        figures = reports.stats(session, now=clock())
        assert figures.no_show_rate == 0.5 and figures.bookings_total == 2
        assert figures.publication_to_booking_days_median == 0.0
        day = reports.convocations(session, "pref-24", date(2026, 1, 13))
        assert [b.code for b in day] == [one.code, two.code]


def test_bookings_of_lists_active_future_bookings(db, clock):
    booking = book(db, clock, first_slot_id(db), PHONE_A)
    with db() as session:
        assert [b.code for b in bookings.bookings_of(session, "0612345678", now=clock())] == [
            booking.code
        ]
        assert bookings.bookings_of(session, PHONE_B, now=clock()) == []
