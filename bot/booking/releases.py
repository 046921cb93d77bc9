"""Releasing a booking held under someone's numéro étranger by another phone (decision 0024,
attack 2). A stranger who booked under a person's numéro locks its owner out
(`already_booked_numero_etranger`), and only the stranger's phone may cancel. A typed numéro
proves nothing, so nobody can release by typing one: only someone who saw the titre or récépissé
carrying it — a PAN mediator with its owner beside them under live consent, or préfecture
staff — may release, and the engine is told who (`CardCheck`) so that the audit names them.

The booking becomes `cancelled` with `cancel_reason = numero_released` (a reason the database
allows only on a cancelled booking): every rule that reads statuses already treats it as a
cancellation — the place is free, it never counts towards the cooldown, the counter sees it
cancelled. The place is released and offered to the waitlist in the same transaction, as a
cancellation is; the scheduler tells the stranger's phone why (bot.scheduler.planning).

Pure engine: the caller's session, an explicit `now`, no commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from bot.booking import offers
from bot.booking.applicants import numero_or_refuse, phone_or_refuse
from bot.booking.config import EngineConfig
from bot.booking.errors import BookingError
from bot.booking.mediators import audit
from bot.booking.models import Applicant, Booking, BookingStatus, CancelReason, Slot
from bot.booking.rules import release_place

AUDIT_ACTION = "numero_released"


@dataclass(frozen=True)
class CardCheck:
    """Who saw the card: a PAN mediator (their id) or a préfecture staff credential (its name,
    as `Caller.name` gives it: "admin-token", "key:3"; never a token)."""

    mediator_id: int | None = None
    staff: str | None = None

    def __post_init__(self) -> None:
        if (self.mediator_id is None) == (self.staff is None):
            raise ValueError("a card is checked by a mediator or by staff, exactly one")

    def detail(self, code: str) -> str:
        return code if self.staff is None else f"{code} staff={self.staff}"


@dataclass(frozen=True)
class Release:
    """What a release did: the bookings it released now, and those released earlier under the
    same numéro whose slot is still ahead (a form posted twice answers as the first time)."""

    released: list[Booking]
    already_released: list[Booking]


def _held_by_others(numero_hash: str, owner: str | None, now: datetime) -> Select[tuple[Booking]]:
    query = (
        select(Booking)
        .join(Applicant, Booking.applicant_id == Applicant.id)
        .join(Slot, Booking.slot_id == Slot.id)
        .where(Booking.numero_etranger_hash == numero_hash, Slot.starts_at > now)
        .order_by(Slot.starts_at, Booking.id)
    )
    # The owner's own bookings under their numéro are theirs to keep or cancel.
    return query if owner is None else query.where(Applicant.phone != owner)


def release_numero(
    session: Session,
    config: EngineConfig,
    raw_numero: str | None,
    *,
    owner_phone: str | None,
    checked_by: CardCheck,
    now: datetime,
) -> Release:
    """Releases every active booking (booked, not started) held under the numéro typed from the
    card by a phone other than `owner_phone` (staff may not know the owner's phone: then every
    one). Refuses `invalid_numero_etranger`, `invalid_phone`, or `nothing_to_release` when there
    is neither anything to release nor anything released before."""
    numero = numero_or_refuse(raw_numero, config.secret_key)
    if numero is None:
        raise BookingError("invalid_numero_etranger")
    owner = phone_or_refuse(owner_phone) if owner_phone else None
    candidates = _held_by_others(numero.hash, owner, now)
    released: list[Booking] = []
    active = list(session.scalars(candidates.where(Booking.status == BookingStatus.BOOKED)))
    for booking in active:
        # Conditional, like take_place: a cancellation or another release racing this one
        # leaves one winner, so the place is given back once.
        done = session.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.status == BookingStatus.BOOKED)
            .values(
                status=BookingStatus.CANCELLED,
                cancelled_at=now,
                cancel_reason=CancelReason.NUMERO_RELEASED.value,
            )
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if done != 1:
            continue
        session.expire(booking, ["status", "cancelled_at", "cancel_reason"])
        release_place(session, booking.slot_id)
        audit(
            session,
            checked_by.mediator_id,
            AUDIT_ACTION,
            now=now,
            phone=owner,
            detail=checked_by.detail(booking.code),
        )
        released.append(booking)
    if released:
        offers.offer_places(session, config, now=now, slot_ids=[b.slot_id for b in released])
    already = [
        b
        for b in session.scalars(
            candidates.where(
                Booking.status == BookingStatus.CANCELLED,
                Booking.cancel_reason == CancelReason.NUMERO_RELEASED.value,
            )
        )
        if b not in released
    ]
    if not released and not already:
        raise BookingError("nothing_to_release")
    return Release(released, already)


def released_since(session: Session, since: datetime) -> list[Booking]:
    """Bookings released under a numéro since `since` (for the scheduler's notices)."""
    return list(
        session.scalars(
            select(Booking)
            .where(
                Booking.cancel_reason == CancelReason.NUMERO_RELEASED.value,
                Booking.cancelled_at > since,
            )
            .order_by(Booking.cancelled_at, Booking.id)
        )
    )
