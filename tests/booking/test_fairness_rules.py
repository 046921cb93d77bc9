"""The rules that keep the push waitlist fair against resale (issue 6): the cooldown after an
appointment, offers that end before their slot starts, no acceptance of a started slot, and a
priority date that cannot be typed ahead of everyone. On SQLite and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.booking import bookings, offers, publishing, waitlist
from bot.booking.bookings import BookRequest
from bot.booking.config import EngineConfig
from bot.booking.errors import BookingError
from bot.booking.models import Slot, WaitlistEntry, WaitlistOffer
from bot.booking.waitlist import WaitlistRequest
from bot.config import Settings
from bot.timezone import PARIS
from tests.support import world
from tests.support.booking import refused
from tests.support.world import CONFIG, DUPLICATA, NUMERO, PHONE_A, PHONE_B, PHONE_C, RESIDENT


def first_free_slot(factory, now: datetime, demarche=RESIDENT) -> Slot:
    with factory() as session:
        return next(
            s for s in world.slots(session, demarche) if s.places_left > 0 and s.starts_at > now
        )


def book(factory, now: datetime, phone=PHONE_A, demarche=RESIDENT, config=CONFIG, **kw) -> str:
    slot = first_free_slot(factory, now, demarche)
    with factory.begin() as session:
        return bookings.book(
            session, config, BookRequest(slot_id=slot.id, phone=phone, **kw), now=now
        ).code


def served(factory, clock, code: str, *, honoured: bool) -> None:
    """The appointment takes place and the agent records it."""
    with factory() as session:
        starts_at = bookings.find_by_code(session, code).slot.starts_at
    clock.now = starts_at + timedelta(minutes=30)
    with factory.begin() as session:
        bookings.mark_attendance(session, code, honoured, now=clock())
    with factory.begin() as session:
        publishing.publish(session, CONFIG, now=clock())


def join(factory, now: datetime, phone=PHONE_A, config=CONFIG, **kw) -> int:
    with factory.begin() as session:
        return waitlist.join(
            session,
            config,
            WaitlistRequest(phone=phone, demarche_code=RESIDENT, site_code="pref-24", **kw),
            now=now,
        ).id


# -- the cooldown after an appointment -------------------------------------------------------


@pytest.mark.parametrize("honoured", [True, False], ids=["honoured", "no_show"])
def test_an_appointment_bars_the_same_phone_from_booking_again_until_the_cooldown_ends(
    db, clock, honoured
):
    code = book(db, clock())
    served(db, clock, code, honoured=honoured)
    appointment = clock() - timedelta(minutes=30)
    with refused("recently_served"):
        book(db, clock())
    with pytest.raises(BookingError) as refusal:
        book(db, clock())
    until = (appointment + CONFIG.rebook_cooldown).astimezone(PARIS).strftime("%d/%m/%Y")
    assert until in refusal.value.message("fr") and "90" in refusal.value.message("fr")
    # Another person is not concerned; the same person is, once the cooldown is over.
    book(db, clock(), phone=PHONE_B)
    clock.now = appointment + CONFIG.rebook_cooldown + timedelta(days=1)
    with db.begin() as session:
        publishing.publish(session, CONFIG, now=clock())
    assert book(db, clock())


def test_the_cooldown_follows_the_numero_etranger_to_another_phone(db, clock):
    code = book(db, clock(), demarche=DUPLICATA, numero_etranger=NUMERO)
    served(db, clock, code, honoured=True)
    with refused("recently_served"):
        book(db, clock(), phone=PHONE_B, demarche=DUPLICATA, numero_etranger=NUMERO)
    assert book(db, clock(), phone=PHONE_B, demarche=DUPLICATA, numero_etranger="1234567891")


def test_a_missed_appointment_under_someone_elses_numero_does_not_lock_its_owner_out(db, clock):
    # Anyone may type a numéro étranger: a stranger who books under it and does not come must
    # not bar its owner for 90 days (an attacker's case, session 23). The stranger's own phone
    # stays barred, and an honoured visit (the card seen at the counter) bars the numéro.
    code = book(db, clock(), demarche=DUPLICATA, numero_etranger=NUMERO)
    served(db, clock, code, honoured=False)
    with refused("recently_served"):
        book(db, clock(), demarche=DUPLICATA, numero_etranger="1234567891")
    owner = book(db, clock(), phone=PHONE_B, demarche=DUPLICATA, numero_etranger=NUMERO)
    served(db, clock, owner, honoured=True)
    with refused("recently_served"):
        book(db, clock(), phone=PHONE_C, demarche=DUPLICATA, numero_etranger=NUMERO)


def test_the_cooldown_bars_joining_the_waitlist_and_accepting_an_offer(db, clock):
    code = book(db, clock())
    served(db, clock, code, honoured=True)
    with refused("recently_served"):
        join(db, clock())
    # An entry made before the appointment cannot turn into a second booking after it.
    other = replace(CONFIG, rebook_cooldown=timedelta(0))
    entry_id = join(db, clock(), config=other)
    with db() as session:
        offer = session.scalars(
            select(WaitlistOffer).where(WaitlistOffer.entry_id == entry_id)
        ).one()
    with refused("recently_served"), db.begin() as session:
        offers.accept(session, CONFIG, offer.id, PHONE_A, now=clock())


def test_a_cancellation_is_never_punished(db, clock):
    code = book(db, clock())
    with db.begin() as session:
        bookings.cancel(session, CONFIG, code, phone=PHONE_A, now=clock())
    assert book(db, clock())


def test_the_cooldown_is_configurable_and_zero_disables_it(db, clock):
    assert EngineConfig.from_settings(Settings(rebook_cooldown_days=30)).rebook_cooldown == (
        timedelta(days=30)
    )
    no_cooldown = replace(CONFIG, rebook_cooldown=timedelta(0))
    code = book(db, clock())
    served(db, clock, code, honoured=True)
    assert book(db, clock(), config=no_cooldown)


# -- offers end before their slot starts -----------------------------------------------------


@pytest.fixture
def unpublished(any_factory, clock):
    with any_factory.begin() as session:
        world.build(session, now=clock())
    return any_factory


def publish_day(factory, now: datetime, day: date) -> None:
    with factory.begin() as session:
        publishing.publish(
            session, CONFIG, now=now, demarche_code=RESIDENT, date_from=day, date_to=day
        )


def test_an_offer_expires_before_its_slot_starts(unpublished, clock):
    # Tuesday 13 January: slots 14h00-15h40 Paris = 13h00-14h40 UTC. Offered at 08h UTC, a
    # 12-hour hold would run past the slot; it must end `offer_start_margin` before it.
    clock.now = datetime.fromisoformat("2026-01-13T08:00:00+00:00")
    join(unpublished, clock())
    publish_day(unpublished, clock(), date(2026, 1, 13))
    with unpublished() as session:
        offer = session.scalars(select(WaitlistOffer)).one()
        assert offer.slot.starts_at == datetime.fromisoformat("2026-01-13T13:00:00+00:00")
        assert offer.expires_at == offer.slot.starts_at - CONFIG.offer_start_margin
        assert offer.expires_at - offer.offered_at < CONFIG.offer_hold


def test_a_slot_too_close_to_its_start_is_not_held_for_anyone(unpublished, clock):
    # 11h UTC: 13h00 and 13h20 start within margin + minimum hold; 13h40 is the first offered.
    clock.now = datetime.fromisoformat("2026-01-13T11:00:00+00:00")
    join(unpublished, clock())
    publish_day(unpublished, clock(), date(2026, 1, 13))
    with unpublished() as session:
        offer = session.scalars(select(WaitlistOffer)).one()
        assert offer.slot.starts_at == datetime.fromisoformat("2026-01-13T13:40:00+00:00")
        assert offer.expires_at == datetime.fromisoformat("2026-01-13T11:40:00+00:00")
        # The closer places stay free for whoever searches.
        early = session.scalars(select(Slot).order_by(Slot.starts_at).limit(2)).all()
        assert [s.places_taken for s in early] == [0, 0]


def test_accept_refuses_a_slot_that_has_started(unpublished, clock):
    join(unpublished, clock())
    publish_day(unpublished, clock(), date(2026, 1, 13))
    with unpublished.begin() as session:
        offer = session.scalars(select(WaitlistOffer)).one()
        # An offer written before holds were capped: its hold outlives its slot's start.
        session.execute(
            update(WaitlistOffer)
            .where(WaitlistOffer.id == offer.id)
            .values(expires_at=offer.slot.starts_at + timedelta(hours=6))
        )
        starts_at, offer_id = offer.slot.starts_at, offer.id
    clock.now = starts_at + timedelta(minutes=5)
    with refused("slot_in_past"), unpublished.begin() as session:
        offers.accept(session, CONFIG, offer_id, PHONE_A, now=clock())


# -- the priority date -----------------------------------------------------------------------


def test_a_rights_end_typed_in_the_past_ranks_as_today_behind_earlier_requests(unpublished, clock):
    today = clock().date()
    join(unpublished, clock(), phone=PHONE_A, rights_end=today)
    clock.advance(minutes=1)
    join(unpublished, clock(), phone=PHONE_B, rights_end=date(2019, 1, 1))
    with unpublished() as session:
        entries = {e.applicant.phone: e for e in session.scalars(select(WaitlistEntry))}
        assert entries[PHONE_B].rights_end == today
        assert waitlist.position(session, entries[PHONE_A]) == 1
        assert waitlist.position(session, entries[PHONE_B]) == 2
