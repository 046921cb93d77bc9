"""The rules that take and release places: the capacity counter moved by conditional UPDATEs,
what makes a slot bookable (the démarche, the site and the slot looked up or refused), and the
anti-resale rules checked before a booking is written.
Bookings and the waitlist are built from these; nothing else writes `Slot.places_taken`.

Every function takes the caller's session and never commits: one request, one transaction,
so a refusal half-way rolls everything back (a reschedule that fails leaves the old booking).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.booking.codes import new_code
from bot.booking.config import EngineConfig
from bot.booking.errors import BookingError
from bot.booking.models import (
    Applicant,
    BookedBy,
    Booking,
    BookingStatus,
    CancelReason,
    DemarcheRow,
    SiteDemarche,
    SiteRow,
    Slot,
)
from bot.timezone import PARIS


def take_place(session: Session, slot_id: int) -> bool:
    """Atomically takes one place if one is left. The WHERE clause is re-evaluated under the
    row lock (PostgreSQL) or the database write lock (SQLite), so two takers never both win."""
    result = session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.places_taken < Slot.capacity)
        .values(places_taken=Slot.places_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def release_place(session: Session, slot_id: int) -> None:
    session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.places_taken > 0)
        .values(places_taken=Slot.places_taken - 1)
        .execution_options(synchronize_session=False)
    )


def get_demarche(session: Session, code: str) -> DemarcheRow:
    demarche = session.get(DemarcheRow, code)
    if demarche is None:
        raise BookingError("unknown_demarche")
    return demarche


def get_site(session: Session, code: str) -> SiteRow:
    site = session.get(SiteRow, code)
    if site is None:
        raise BookingError("unknown_site")
    return site


def offered_at(session: Session, demarche_code: str, site_code: str) -> tuple[DemarcheRow, SiteRow]:
    """The démarche and the site, refused unless both exist and the site offers the démarche."""
    demarche = get_demarche(session, demarche_code)
    site = get_site(session, site_code)
    if session.get(SiteDemarche, (site.code, demarche.code)) is None:
        raise BookingError("demarche_not_offered")
    return demarche, site


def get_slot(session: Session, slot_id: int) -> Slot:
    slot = session.get(Slot, slot_id)
    if slot is None:
        raise BookingError("slot_not_found")
    return slot


def ensure_bookable(slot: Slot, now: datetime) -> None:
    """Not in the past, and inside the démarche's booking horizon."""
    if slot.starts_at <= now:
        raise BookingError("slot_in_past")
    horizon_days = slot.demarche.horizon_days
    if slot.starts_at > now + timedelta(days=horizon_days):
        raise BookingError("slot_beyond_horizon", horizon_days=horizon_days)


def refuse_if_already_booked(
    session: Session, *, applicant_id: int, numero_hash: str | None, demarche_code: str
) -> None:
    """The anti-resale rule: one active booking per person (phone or numéro étranger) and
    démarche; and never again a numéro under a phone whose booking was released under it."""
    active = select(Booking.id).where(
        Booking.demarche_code == demarche_code, Booking.status == BookingStatus.BOOKED
    )
    if session.scalar(active.where(Booking.applicant_id == applicant_id).limit(1)) is not None:
        raise BookingError("already_booked")
    if (
        numero_hash is not None
        and session.scalar(active.where(Booking.numero_etranger_hash == numero_hash).limit(1))
        is not None
    ):
        raise BookingError("already_booked_numero_etranger")
    if numero_hash is not None and (
        session.scalar(
            select(Booking.id)
            .where(
                Booking.applicant_id == applicant_id,
                Booking.numero_etranger_hash == numero_hash,
                Booking.cancel_reason == CancelReason.NUMERO_RELEASED.value,
            )
            .limit(1)
        )
        is not None
    ):
        # Its owner showed the card (decision 0024): the phone released under it would
        # otherwise book it again the next second, and lock its owner out once more.
        raise BookingError("numero_released")


SERVED = (BookingStatus.HONOURED, BookingStatus.NO_SHOW)


def refuse_if_recently_served(
    session: Session,
    *,
    applicant_id: int,
    numero_hash: str | None,
    demarche_code: str,
    now: datetime,
    cooldown: timedelta,
) -> None:
    """The resale cycle's brake: an appointment for this démarche that took place less than
    `cooldown` ago bars a new one: honoured or missed under this phone, honoured under this
    numéro étranger. A numéro is only a claim until the counter has seen the card: a missed
    appointment booked by another phone under someone's numéro must not lock its owner out.
    A cancelled booking does not count: giving a place back must never be punished."""
    if cooldown <= timedelta(0):
        return
    identity = (Booking.applicant_id == applicant_id) & Booking.status.in_(SERVED)
    if numero_hash is not None:
        identity = identity | (
            (Booking.numero_etranger_hash == numero_hash)
            & (Booking.status == BookingStatus.HONOURED)
        )
    last = session.scalar(
        select(Slot.starts_at)
        .join(Booking, Booking.slot_id == Slot.id)
        .where(
            identity,
            Booking.demarche_code == demarche_code,
            Slot.starts_at > now - cooldown,
        )
        .order_by(Slot.starts_at.desc())
        .limit(1)
    )
    if last is not None:
        until = (last + cooldown).astimezone(PARIS).strftime("%d/%m/%Y")
        raise BookingError("recently_served", days=cooldown.days, until=until)


@dataclass(frozen=True)
class NewBooking:
    slot: Slot
    applicant: Applicant
    numero_hash: str | None
    booked_by: BookedBy = BookedBy.SELF
    mediator_ref: str | None = None
    idempotency_key: str | None = None
    bring: tuple[str, ...] = ()


def insert_booking(
    session: Session,
    config: EngineConfig,
    new: NewBooking,
    *,
    now: datetime,
    place_already_taken: bool,
) -> Booking:
    """Takes a place (unless a waitlist offer already holds it) and writes the booking.

    A racing duplicate is refused by the database (partial unique indexes): the refusal rolls
    the caller's transaction back, place included. Only with an idempotency key does the work
    run in a savepoint, because then the caller goes on to return the winner's booking."""
    refuse_if_already_booked(
        session,
        applicant_id=new.applicant.id,
        numero_hash=new.numero_hash,
        demarche_code=new.slot.demarche_code,
    )
    refuse_if_recently_served(
        session,
        applicant_id=new.applicant.id,
        numero_hash=new.numero_hash,
        demarche_code=new.slot.demarche_code,
        now=now,
        cooldown=config.rebook_cooldown,
    )
    booking = Booking(
        code=new_code(),
        slot=new.slot,
        applicant=new.applicant,
        demarche_code=new.slot.demarche_code,
        numero_etranger_hash=new.numero_hash,
        status=BookingStatus.BOOKED,
        booked_by=new.booked_by,
        mediator_ref=new.mediator_ref,
        idempotency_key=new.idempotency_key,
        bring=",".join(new.bring) or None,
        created_at=now,
        reschedule_count=0,
    )

    def write() -> None:
        if not place_already_taken:
            if not take_place(session, new.slot.id):
                raise BookingError("slot_full")
            # The UPDATE bypassed the ORM: re-read the counter when someone looks at it.
            session.expire(new.slot, ["places_taken"])
        session.add(booking)
        session.flush()

    try:
        if new.idempotency_key:
            with session.begin_nested():
                write()
        else:
            write()
    except IntegrityError as exc:
        reason = str(exc.orig)
        if "idempotency_key" in reason:
            raise IdempotentReplay(new.idempotency_key or "") from None
        if "numero_etranger_hash" in reason or "uq_booking_active_numero" in reason:
            raise BookingError("already_booked_numero_etranger") from None
        if "applicant_id" in reason or "uq_booking_active_applicant" in reason:
            raise BookingError("already_booked") from None
        raise
    return booking


class IdempotentReplay(Exception):
    """The same idempotency key was used by a request that committed first."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key
