"""The booking engine's operations: search (journaled), book, cancel, reschedule, verify,
attendance and statistics. Each takes the caller's session and an explicit `now`; the caller
commits on success and rolls back on a `BookingError`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.booking import waitlist
from bot.booking.codes import is_well_formed, normalise_code
from bot.booking.engine import (
    EngineConfig,
    IdempotentReplay,
    NewBooking,
    ensure_bookable,
    find_applicant,
    get_demarche,
    get_or_create_applicant,
    get_site,
    get_slot,
    insert_booking,
    numero_or_refuse,
    phone_or_refuse,
    release_place,
    take_place,
)
from bot.booking.errors import BookingError
from bot.booking.models import (
    Applicant,
    AvailabilityCheck,
    BookedBy,
    Booking,
    BookingStatus,
    Site,
    SiteDemarche,
    Slot,
    WaitlistEntry,
    WaitlistStatus,
)
from bot.dates import in_part_of_day

MAX_SEARCH_LIMIT = 50


def sites_for(session: Session, demarche_code: str) -> list[Site]:
    get_demarche(session, demarche_code)
    return list(
        session.scalars(
            select(Site)
            .join(SiteDemarche)
            .where(SiteDemarche.demarche_code == demarche_code)
            .order_by(Site.code)
        )
    )


@dataclass(frozen=True)
class SearchRequest:
    demarche_code: str
    site_code: str
    date_from: date | None = None
    date_to: date | None = None
    part_of_day: str | None = None
    limit: int = 10
    phone: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class SearchResult:
    check: AvailabilityCheck
    slots: list[Slot]


def search(session: Session, request: SearchRequest, *, now: datetime) -> SearchResult:
    """Free slots, earliest first, within the démarche's horizon; every search is journaled as an
    AvailabilityCheck, the applicant's dated proof (even, above all, when nothing is found)."""
    demarche = get_demarche(session, request.demarche_code)
    site = get_site(session, request.site_code)
    if session.get(SiteDemarche, (site.code, demarche.code)) is None:
        raise BookingError("demarche_not_offered")
    tz = ZoneInfo(site.timezone)
    today = now.astimezone(tz).date()
    horizon_end = today + timedelta(days=demarche.horizon_days)
    date_from = request.date_from or today
    date_to = request.date_to or horizon_end
    if date_to < date_from:
        raise BookingError("invalid_dates", detail="date_to < date_from")
    if date_to < today:
        raise BookingError("invalid_dates", detail="dates in the past")
    applicant = None
    if request.phone:
        applicant = get_or_create_applicant(
            session, phone_or_refuse(request.phone), now, request.language
        )
    start = max(datetime.combine(max(date_from, today), time.min, tzinfo=tz), now)
    end = min(
        datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz),
        now + timedelta(days=demarche.horizon_days),
    )
    candidates = session.scalars(
        select(Slot)
        .where(
            Slot.demarche_code == demarche.code,
            Slot.site_code == site.code,
            Slot.starts_at > start,
            Slot.starts_at < end,
            Slot.places_taken < Slot.capacity,
        )
        .order_by(Slot.starts_at)
    ).all()
    matching = [
        s
        for s in candidates
        if in_part_of_day(s.starts_at.astimezone(tz).time(), request.part_of_day)
    ]
    check = AvailabilityCheck(
        applicant_id=applicant.id if applicant else None,
        demarche_code=demarche.code,
        site_code=site.code,
        checked_at=now,
        date_from=date_from,
        date_to=date_to,
        part_of_day=request.part_of_day,
        slots_found=len(matching),
        earliest_start=matching[0].starts_at if matching else None,
    )
    session.add(check)
    session.flush()
    return SearchResult(check=check, slots=matching[: max(1, min(request.limit, MAX_SEARCH_LIMIT))])


@dataclass(frozen=True)
class BookRequest:
    slot_id: int
    phone: str
    numero_etranger: str | None = None
    language: str | None = None
    mediator_ref: str | None = None
    idempotency_key: str | None = None


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


def _own_active_booking(
    session: Session, raw_code: str, phone: str | None, mediator_ref: str | None
) -> Booking:
    booking = find_by_code(session, raw_code)
    is_owner = phone is not None and booking.applicant.phone == phone_or_refuse(phone)
    is_mediator = mediator_ref is not None and booking.mediator_ref == mediator_ref
    if not (is_owner or is_mediator):
        raise BookingError("not_your_booking")
    if booking.status != BookingStatus.BOOKED:
        raise BookingError("booking_not_active")
    return booking


def cancel(
    session: Session,
    config: EngineConfig,
    raw_code: str,
    *,
    phone: str | None,
    mediator_ref: str | None = None,
    now: datetime,
) -> Booking:
    """Needs the code and the phone that booked (or the mediator who booked). The place is free
    at once and offered to the waitlist in the same transaction."""
    booking = _own_active_booking(session, raw_code, phone, mediator_ref)
    if booking.slot.starts_at <= now:
        raise BookingError("booking_not_active")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    session.flush()
    release_place(session, booking.slot_id)
    waitlist.offer_places(session, config, now=now, slot_ids=[booking.slot_id])
    return booking


def reschedule(
    session: Session,
    config: EngineConfig,
    raw_code: str,
    new_slot_id: int,
    *,
    phone: str | None,
    mediator_ref: str | None = None,
    now: datetime,
) -> Booking:
    """Takes the new place first, then releases the old one: if the new place is gone, the old
    booking stands untouched. The code stays the same; the convocation shows the new slot."""
    booking = _own_active_booking(session, raw_code, phone, mediator_ref)
    new_slot = get_slot(session, new_slot_id)
    if new_slot.id == booking.slot_id:
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
    waitlist.offer_places(session, config, now=now, slot_ids=[old_slot_id])
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


def convocations(session: Session, site_code: str, day: date) -> list[Booking]:
    """The day's active bookings at a site, in order: the agent's list at the counter."""
    site = get_site(session, site_code)
    tz = ZoneInfo(site.timezone)
    start = datetime.combine(day, time.min, tzinfo=tz)
    return list(
        session.scalars(
            select(Booking)
            .join(Slot, Booking.slot_id == Slot.id)
            .where(
                Slot.site_code == site.code,
                Slot.starts_at >= start,
                Slot.starts_at < start + timedelta(days=1),
                Booking.status.in_(
                    (BookingStatus.BOOKED, BookingStatus.HONOURED, BookingStatus.NO_SHOW)
                ),
            )
            .order_by(Slot.starts_at, Booking.id)
        )
    )


def proof_journal(session: Session, phone: str, *, limit: int = 200) -> list[AvailabilityCheck]:
    applicant = find_applicant(session, phone_or_refuse(phone))
    if applicant is None:
        return []
    return list(
        session.scalars(
            select(AvailabilityCheck)
            .where(AvailabilityCheck.applicant_id == applicant.id)
            .order_by(AvailabilityCheck.checked_at, AvailabilityCheck.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Stats:
    bookings_active: int
    bookings_total: int
    publication_to_booking_days_median: float | None
    no_show_rate: float | None
    waitlist_length: int
    slots_published: int
    places_free: int


def stats(session: Session, *, now: datetime, site_code: str | None = None) -> Stats:
    bookings = select(Booking.status, Booking.created_at, Slot.published_at).join(
        Slot, Booking.slot_id == Slot.id
    )
    slots = select(
        func.count(Slot.id), func.coalesce(func.sum(Slot.capacity - Slot.places_taken), 0)
    )
    waiting = select(func.count(WaitlistEntry.id)).where(
        WaitlistEntry.status.in_((WaitlistStatus.WAITING, WaitlistStatus.OFFERED))
    )
    if site_code:
        bookings = bookings.where(Slot.site_code == site_code)
        slots = slots.where(Slot.site_code == site_code)
        waiting = waiting.where(WaitlistEntry.site_code == site_code)
    rows = session.execute(bookings).all()
    delays = [(created - published).total_seconds() / 86400 for _, created, published in rows]
    honoured = sum(1 for status, _, _ in rows if status == BookingStatus.HONOURED)
    no_show = sum(1 for status, _, _ in rows if status == BookingStatus.NO_SHOW)
    slot_count, free = session.execute(slots.where(Slot.starts_at > now)).one()
    return Stats(
        bookings_active=sum(1 for status, _, _ in rows if status == BookingStatus.BOOKED),
        bookings_total=len(rows),
        publication_to_booking_days_median=round(statistics.median(delays), 2) if delays else None,
        no_show_rate=round(no_show / (honoured + no_show), 3) if honoured + no_show else None,
        waitlist_length=int(session.scalar(waiting) or 0),
        slots_published=int(slot_count),
        places_free=int(free),
    )


def bookings_due_for_reminder(
    session: Session, *, now: datetime, ahead: timedelta
) -> list[Booking]:
    """Active bookings starting within `ahead` whose reminder has not gone out (for the scheduler)."""
    return list(
        session.scalars(
            select(Booking)
            .join(Slot, Booking.slot_id == Slot.id)
            .where(
                Booking.status == BookingStatus.BOOKED,
                Booking.reminder_sent_at.is_(None),
                Slot.starts_at > now,
                Slot.starts_at <= now + ahead,
            )
            .order_by(Slot.starts_at)
        )
    )
