"""Waitlist offers: a free place *offered* to the waiting entries by priority instead of raced for.

An offer holds one place (counted in `Slot.places_taken`) for one entry until `expires_at`,
which always falls before the slot starts (`offer_expiry`); accept → booking, decline or expiry
→ the place goes to the next entry. An entry has at most one pending offer (partial unique
index) and moves waiting → offered with a conditional UPDATE, so two dispatchers never offer
one person two places or one place twice. Joining and leaving the queue is `waitlist.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.booking.applicants import phone_or_refuse
from bot.booking.config import EngineConfig
from bot.booking.errors import BookingError
from bot.booking.models import (
    Applicant,
    Booking,
    OfferStatus,
    Slot,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from bot.booking.rules import NewBooking, insert_booking, release_place, take_place
from bot.dates import in_part_of_day

ACTIVE = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


def priority_order() -> tuple[object, ...]:
    # Rights running out first; NULL (unknown) after every known date, on both databases.
    return (
        WaitlistEntry.rights_end.is_(None),
        WaitlistEntry.rights_end,
        WaitlistEntry.requested_at,
        WaitlistEntry.id,
    )


def slot_fits(entry: WaitlistEntry, slot: Slot, now: datetime) -> bool:
    if slot.site_code != entry.site_code or slot.demarche_code != entry.demarche_code:
        return False
    if slot.starts_at <= now or slot.starts_at > now + timedelta(days=slot.demarche.horizon_days):
        return False
    local = slot.starts_at.astimezone(ZoneInfo(slot.site.timezone))
    if entry.not_before and local.date() < entry.not_before:
        return False
    if entry.not_after and local.date() > entry.not_after:
        return False
    return in_part_of_day(local.time(), entry.part_of_day)


def offer_expiry(config: EngineConfig, slot: Slot, now: datetime) -> datetime | None:
    """When an offer of this slot made now must end: after the usual hold, but never later than
    `offer_start_margin` before the slot starts. None when that leaves less than
    `offer_min_hold` to answer: such a place is left to search rather than held for nobody."""
    expires_at = min(now + config.offer_hold, slot.starts_at - config.offer_start_margin)
    if expires_at < now + config.offer_min_hold:
        return None
    return expires_at


def _refused_slot_ids(session: Session, entry_id: int) -> set[int]:
    """Slots this entry already let go (declined or expired): not offered to them again."""
    return set(
        session.scalars(
            select(WaitlistOffer.slot_id).where(
                WaitlistOffer.entry_id == entry_id,
                WaitlistOffer.status.in_((OfferStatus.DECLINED, OfferStatus.EXPIRED)),
            )
        )
    )


def _make_offer(
    session: Session, config: EngineConfig, entry: WaitlistEntry, slot: Slot, now: datetime
) -> WaitlistOffer | None:
    expires_at = offer_expiry(config, slot, now)
    if expires_at is None:
        return None
    claimed = session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.id == entry.id, WaitlistEntry.status == WaitlistStatus.WAITING)
        .values(status=WaitlistStatus.OFFERED)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        return None
    if not take_place(session, slot.id):
        session.execute(
            update(WaitlistEntry)
            .where(WaitlistEntry.id == entry.id)
            .values(status=WaitlistStatus.WAITING)
            .execution_options(synchronize_session=False)
        )
        return None
    offer = WaitlistOffer(
        entry_id=entry.id,
        slot_id=slot.id,
        status=OfferStatus.PENDING,
        offered_at=now,
        expires_at=expires_at,
    )
    session.add(offer)
    session.flush()
    session.refresh(entry)
    return offer


def _waiting_queue(session: Session, demarche_code: str, site_code: str) -> list[WaitlistEntry]:
    return list(
        session.scalars(
            select(WaitlistEntry)
            .where(
                WaitlistEntry.demarche_code == demarche_code,
                WaitlistEntry.site_code == site_code,
                WaitlistEntry.status == WaitlistStatus.WAITING,
            )
            .order_by(*priority_order())
        )
    )


def offer_places(
    session: Session, config: EngineConfig, *, now: datetime, slot_ids: Sequence[int]
) -> list[WaitlistOffer]:
    """Offers the free places of these slots to the waiting entries that fit, by priority."""
    offers: list[WaitlistOffer] = []
    slots = session.scalars(
        select(Slot).where(Slot.id.in_(slot_ids)).order_by(Slot.starts_at)
    ).all()
    queues: dict[tuple[str, str], list[WaitlistEntry]] = {}
    for slot in slots:
        key = (slot.demarche_code, slot.site_code)
        if key not in queues:
            queues[key] = _waiting_queue(session, *key)
        # Entries already served in this pass left the queue (they are now "offered").
        queue = [e for e in queues[key] if e.status == WaitlistStatus.WAITING]
        queues[key] = queue
        if not queue:
            continue  # the common case (publishing with nobody waiting) costs one query
        session.refresh(slot)
        if offer_expiry(config, slot, now) is None:
            continue
        for entry in queue:
            if slot.places_left <= 0:
                break
            if not slot_fits(entry, slot, now) or slot.id in _refused_slot_ids(session, entry.id):
                continue
            offer = _make_offer(session, config, entry, slot, now)
            if offer is not None:
                offers.append(offer)
            session.refresh(slot)
    return offers


def offer_to_entry(
    session: Session, config: EngineConfig, entry: WaitlistEntry, *, now: datetime
) -> WaitlistOffer | None:
    """The earliest free place that fits this entry, if any (used when someone joins)."""
    refused = _refused_slot_ids(session, entry.id)
    slots = session.scalars(
        select(Slot)
        .where(
            Slot.demarche_code == entry.demarche_code,
            Slot.site_code == entry.site_code,
            Slot.places_taken < Slot.capacity,
            Slot.starts_at > now,
        )
        .order_by(Slot.starts_at)
    ).all()
    for slot in slots:
        if slot.id in refused or not slot_fits(entry, slot, now):
            continue
        if offer_expiry(config, slot, now) is None:
            continue
        offer = _make_offer(session, config, entry, slot, now)
        if offer is not None:
            return offer
        session.refresh(entry)
        if entry.status != WaitlistStatus.WAITING:
            return None
    return None


def pending_offer_of(session: Session, entry_id: int) -> WaitlistOffer | None:
    return session.scalars(
        select(WaitlistOffer).where(
            WaitlistOffer.entry_id == entry_id, WaitlistOffer.status == OfferStatus.PENDING
        )
    ).one_or_none()


def _settle(session: Session, offer: WaitlistOffer, status: OfferStatus, now: datetime) -> bool:
    """pending → `status`, only if still pending: a decline racing an expiry settles it once,
    so its place is released once."""
    settled = session.execute(
        update(WaitlistOffer)
        .where(WaitlistOffer.id == offer.id, WaitlistOffer.status == OfferStatus.PENDING)
        .values(status=status, decided_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(offer)
    return settled == 1


def close_offer(
    session: Session,
    config: EngineConfig,
    offer: WaitlistOffer,
    status: OfferStatus,
    *,
    now: datetime,
    entry_status: WaitlistStatus,
) -> list[WaitlistOffer] | None:
    """Ends a pending offer without a booking: the place goes back and on to the next entry.
    None when someone else settled it first (then nothing is released)."""
    if not _settle(session, offer, status, now):
        return None
    offer.entry.status = entry_status
    if entry_status == WaitlistStatus.LEFT:
        offer.entry.closed_at = now
    release_place(session, offer.slot_id)
    session.flush()
    offers = offer_places(session, config, now=now, slot_ids=[offer.slot_id])
    if entry_status == WaitlistStatus.WAITING:
        # Still waiting: another free place may fit them (never the one they let go).
        again = offer_to_entry(session, config, offer.entry, now=now)
        if again is not None:
            offers.append(again)
    return offers


def offers_of(session: Session, phone: str) -> list[WaitlistOffer]:
    phone = phone_or_refuse(phone)
    return list(
        session.scalars(
            select(WaitlistOffer)
            .join(WaitlistEntry)
            .join(Applicant)
            .where(Applicant.phone == phone, WaitlistOffer.status == OfferStatus.PENDING)
            .order_by(WaitlistOffer.expires_at)
        )
    )


def _own_offer(session: Session, offer_id: int, phone: str, now: datetime) -> WaitlistOffer:
    offer = session.get(WaitlistOffer, offer_id)
    if offer is None or offer.entry.applicant.phone != phone_or_refuse(phone):
        raise BookingError("offer_not_found")
    if offer.status == OfferStatus.EXPIRED or (
        offer.status == OfferStatus.PENDING and offer.expires_at <= now
    ):
        raise BookingError("offer_expired")
    if offer.status != OfferStatus.PENDING:
        raise BookingError("offer_closed")
    return offer


def accept(
    session: Session, config: EngineConfig, offer_id: int, phone: str, *, now: datetime
) -> Booking:
    offer = _own_offer(session, offer_id, phone, now)
    if offer.slot.starts_at <= now:
        # An offer made before holds were capped can outlive its slot's start.
        raise BookingError("slot_in_past")
    entry = offer.entry
    if not _settle(session, offer, OfferStatus.ACCEPTED, now):
        raise BookingError("offer_closed")
    booking = insert_booking(
        session,
        config,
        NewBooking(
            slot=offer.slot,
            applicant=entry.applicant,
            numero_hash=entry.numero_etranger_hash,
            booked_by=entry.booked_by,
            mediator_ref=entry.mediator_ref,
        ),
        now=now,
        place_already_taken=True,
    )
    offer.booking_id = booking.id
    entry.status = WaitlistStatus.BOOKED
    entry.closed_at = now
    entry.booking_id = booking.id
    session.flush()
    return booking


def decline(
    session: Session, config: EngineConfig, offer_id: int, phone: str, *, now: datetime
) -> WaitlistOffer:
    """The person keeps their rank for later places; this one goes to the next entry."""
    offer = _own_offer(session, offer_id, phone, now)
    closed = close_offer(
        session, config, offer, OfferStatus.DECLINED, now=now, entry_status=WaitlistStatus.WAITING
    )
    if closed is None:
        raise BookingError("offer_closed")
    return offer


def expire_offers(session: Session, config: EngineConfig, *, now: datetime) -> list[WaitlistOffer]:
    """Ends every pending offer past its hold and passes the places on. The scheduler calls this
    periodically; returns the offers that expired."""
    due = session.scalars(
        select(WaitlistOffer)
        .where(WaitlistOffer.status == OfferStatus.PENDING, WaitlistOffer.expires_at <= now)
        .order_by(WaitlistOffer.expires_at)
        .with_for_update(skip_locked=True, of=WaitlistOffer)
    ).all()
    expired = []
    for offer in due:
        closed = close_offer(
            session,
            config,
            offer,
            OfferStatus.EXPIRED,
            now=now,
            entry_status=WaitlistStatus.WAITING,
        )
        if closed is not None:
            expired.append(offer)
    return expired
