"""Bookings: book (idempotent), the applicant's own list, cancel and reschedule (the freed place
goes to the waitlist in the same transaction), the agent's verify and attendance. Each takes the
caller's session and an explicit `now`; the caller commits on success and rolls back on a
`BookingError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking import offers
from bot.booking.applicants import get_or_create_applicant, numero_or_refuse, phone_or_refuse
from bot.booking.codes import is_well_formed, normalise_code
from bot.booking.config import EngineConfig
from bot.booking.errors import BookingError
from bot.booking.models import Applicant, BookedBy, Booking, BookingStatus, Slot
from bot.booking.rules import (
    IdempotentReplay,
    NewBooking,
    ensure_bookable,
    get_slot,
    insert_booking,
    release_place,
    take_place,
)


@dataclass(frozen=True)
class BookRequest:
    slot_id: int
    phone: str
    numero_etranger: str | None = None
    language: str | None = None
    mediator_ref: str | None = None
    idempotency_key: str | None = None
    bring: tuple[str, ...] = ()  # documents to bring that were missing at booking


def _replay(session: Session, key: str, slot_id: int, phone: str) -> Booking | None:
    """The booking an earlier identical request made, or a refusal if the key served elsewhere."""
    booking = session.scalars(select(Booking).where(Booking.idempotency_key == key)).one_or_none()
    if booking is None:
        return None
    if booking.slot_id != slot_id or booking.applicant.phone != phone:
        raise BookingError("idempotency_conflict")
    return booking


def book(session: Session, config: EngineConfig, request: BookRequest, *, now: datetime) -> Booking:
    phone = phone_or_refuse(request.phone)
    numero = numero_or_refuse(request.numero_etranger, config.secret_key)
    if request.idempotency_key:
        replayed = _replay(session, request.idempotency_key, request.slot_id, phone)
        if replayed is not None:
            return replayed
    slot = get_slot(session, request.slot_id)
    ensure_bookable(slot, now)
    if slot.places_left <= 0:
        # Cheap early answer for the common refusal (a burst on the last places); a stale read
        # is harmless: the conditional UPDATE in insert_booking has the final word.
        raise BookingError("slot_full")
    applicant = get_or_create_applicant(session, phone, now, request.language, numero)
    numero_hash = numero.hash if numero else applicant.numero_etranger_hash
    if slot.demarche.needs_numero_etranger and numero_hash is None:
        raise BookingError("numero_etranger_required")
    new = NewBooking(
        slot=slot,
        applicant=applicant,
        numero_hash=numero_hash,
        booked_by=BookedBy.MEDIATOR if request.mediator_ref else BookedBy.SELF,
        mediator_ref=request.mediator_ref,
        idempotency_key=request.idempotency_key,
        bring=request.bring,
    )
    try:
        return insert_booking(session, config, new, now=now, place_already_taken=False)
    except IdempotentReplay:
        replayed = _replay(session, request.idempotency_key or "", request.slot_id, phone)
        if replayed is None:
            raise
        return replayed


def bookings_of(
    session: Session, phone: str, *, include_past: bool = False, now: datetime
) -> list[Booking]:
    phone = phone_or_refuse(phone)
    query = (
        select(Booking)
        .join(Applicant)
        .join(Slot, Booking.slot_id == Slot.id)
        .where(Applicant.phone == phone, Booking.status == BookingStatus.BOOKED)
        .order_by(Slot.starts_at)
    )
    if not include_past:
        query = query.where(Slot.ends_at > now)
    return list(session.scalars(query))


def find_by_code(session: Session, raw_code: str) -> Booking:
    code = normalise_code(raw_code)
    if not is_well_formed(code):
        raise BookingError("invalid_code")
    booking = session.scalars(select(Booking).where(Booking.code == code)).one_or_none()
    if booking is None:
        raise BookingError("booking_not_found")
    return booking


@dataclass(frozen=True)
class Verification:
    """What a guichet agent learns from a code: never the phone nor the numéro étranger."""

    code: str
    valid: bool
    reason: str | None
    booking: Booking | None
    # A signed QR payload was presented and its signature held (bot.booking.convocation).
    signed: bool = False


def verify(session: Session, raw_code: str, *, now: datetime) -> Verification:
    """Valid = the code exists and the booking is active (booked, slot not yet over)."""
    code = normalise_code(raw_code)
    try:
        booking = find_by_code(session, code)
    except BookingError as refusal:
        return Verification(code=code, valid=False, reason=refusal.code, booking=None)
    if booking.status != BookingStatus.BOOKED:
        return Verification(code=code, valid=False, reason=booking.status.value, booking=booking)
    if booking.slot.ends_at <= now:
        return Verification(code=code, valid=False, reason="slot_over", booking=booking)
    return Verification(code=code, valid=True, reason=None, booking=booking)


def _own_booking(session: Session, raw_code: str, phone: str | None) -> Booking:
    """Only the phone that booked may change a booking. A mediator acts with that phone too,
    under the applicant's live consent, checked by the API (bot.booking.mediators): a mediator
    string alone is no credential."""
    booking = find_by_code(session, raw_code)
    if phone is None or booking.applicant.phone != phone_or_refuse(phone):
        raise BookingError("not_your_booking")
    return booking


def _own_active_booking(session: Session, raw_code: str, phone: str | None) -> Booking:
    booking = _own_booking(session, raw_code, phone)
    if booking.status != BookingStatus.BOOKED:
        raise BookingError("booking_not_active")
    return booking


def cancel(
    session: Session,
    config: EngineConfig,
    raw_code: str,
    *,
    phone: str | None,
    now: datetime,
) -> Booking:
    """Needs the code and the phone that booked. The place is free at once and offered to the
    waitlist in the same transaction. Cancelling a cancelled booking again changes nothing and
    answers as the first time: a turn replayed after a crash (decision 0025) must not tell the
    person their appointment "is no longer active" when they never saw it cancelled."""
    booking = _own_booking(session, raw_code, phone)
    if booking.status == BookingStatus.CANCELLED:
        return booking
    if booking.status != BookingStatus.BOOKED or booking.slot.starts_at <= now:
        raise BookingError("booking_not_active")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    session.flush()
    release_place(session, booking.slot_id)
    offers.offer_places(session, config, now=now, slot_ids=[booking.slot_id])
    return booking


def reschedule(
    session: Session,
    config: EngineConfig,
    raw_code: str,
    new_slot_id: int,
    *,
    phone: str | None,
    now: datetime,
) -> Booking:
    """Takes the new place first, then releases the old one: if the new place is gone, the old
    booking stands untouched. The code stays the same; the convocation shows the new slot.
    A move to the slot a booking was already moved to is that move replayed (decision 0025):
    it changes nothing and answers as the first time."""
    booking = _own_active_booking(session, raw_code, phone)
    new_slot = get_slot(session, new_slot_id)
    if new_slot.id == booking.slot_id:
        if booking.rescheduled_at is not None:
            return booking
        raise BookingError("same_slot")
    if new_slot.demarche_code != booking.demarche_code:
        raise BookingError("wrong_demarche")
    ensure_bookable(new_slot, now)
    if not take_place(session, new_slot.id):
        raise BookingError("slot_full")
    old_slot_id = booking.slot_id
    booking.slot_id = new_slot.id
    booking.rescheduled_at = now
    booking.reschedule_count += 1
    booking.reminder_sent_at = None
    session.flush()
    release_place(session, old_slot_id)
    session.expire(booking, ["slot"])
    offers.offer_places(session, config, now=now, slot_ids=[old_slot_id])
    return booking


def mark_attendance(session: Session, raw_code: str, honoured: bool, *, now: datetime) -> Booking:
    """For the guichet agent after the appointment; the place stays consumed either way."""
    booking = find_by_code(session, raw_code)
    if booking.status != BookingStatus.BOOKED or booking.slot.starts_at > now:
        raise BookingError("invalid_attendance")
    booking.status = BookingStatus.HONOURED if honoured else BookingStatus.NO_SHOW
    booking.attended_at = now
    session.flush()
    return booking
