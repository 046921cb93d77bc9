"""The fair waitlist: scarce places are *offered* to people by priority instead of raced for.

Priority: the date the person's rights run out (earliest first, unknown last, a past date
counted as today), then the time of the request. An offer holds one place (counted in
`Slot.places_taken`) for one entry until `expires_at`, which always falls before the slot
starts (`offer_expiry`); accept → booking, decline or expiry → the place goes to the next
entry. An entry has at most one pending offer (partial unique index) and moves waiting →
offered with a conditional UPDATE, so two dispatchers never offer one person two places or
one place twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.booking.engine import (
    EngineConfig,
    NewBooking,
    get_demarche,
    get_or_create_applicant,
    get_site,
    insert_booking,
    numero_or_refuse,
    phone_or_refuse,
    refuse_if_already_booked,
    refuse_if_recently_served,
    release_place,
    take_place,
)
from bot.booking.errors import BookingError
from bot.booking.models import (
    Applicant,
    BookedBy,
    Booking,
    OfferStatus,
    SiteDemarche,
    Slot,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
)
from bot.dates import in_part_of_day

ACTIVE = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


@dataclass(frozen=True)
class WaitlistRequest:
    phone: str
    demarche_code: str
    site_code: str
    not_before: date | None = None
    not_after: date | None = None
    part_of_day: str | None = None
    rights_end: date | None = None
    numero_etranger: str | None = None
    language: str | None = None
    mediator_ref: str | None = None


def priority_order() -> tuple[object, ...]:
    # Rights running out first; NULL (unknown) after every known date, on both databases.
    return (
        WaitlistEntry.rights_end.is_(None),
        WaitlistEntry.rights_end,
        WaitlistEntry.requested_at,
        WaitlistEntry.id,
    )


def priority_date(declared: date | None, today: date) -> date | None:
    """The rights-end date a new entry is ranked by. Rights that already ran out are exactly as
    urgent as rights ending today: a date typed years back would otherwise put its author ahead
    of every person who is just as out of rights, on nothing the engine can check. Among them,
    the earlier request goes first."""
    if declared is None:
        return None
    return max(declared, today)


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


def join(
    session: Session, config: EngineConfig, request: WaitlistRequest, *, now: datetime
) -> WaitlistEntry:
    phone = phone_or_refuse(request.phone)
    numero = numero_or_refuse(request.numero_etranger, config.secret_key)
    demarche = get_demarche(session, request.demarche_code)
    get_site(session, request.site_code)
    if session.get(SiteDemarche, (request.site_code, demarche.code)) is None:
        raise BookingError("demarche_not_offered")
    if request.not_before and request.not_after and request.not_after < request.not_before:
        raise BookingError("invalid_dates", detail="not_after < not_before")
    site = get_site(session, request.site_code)
    today = now.astimezone(ZoneInfo(site.timezone)).date()
    if request.not_after and request.not_after < today:
        raise BookingError("invalid_dates", detail="not_after is in the past")
    applicant = get_or_create_applicant(session, phone, now, request.language, numero)
    numero_hash = numero.hash if numero else applicant.numero_etranger_hash
    refuse_if_already_booked(
        session, applicant_id=applicant.id, numero_hash=numero_hash, demarche_code=demarche.code
    )
    refuse_if_recently_served(
        session,
        applicant_id=applicant.id,
        numero_hash=numero_hash,
        demarche_code=demarche.code,
        now=now,
        cooldown=config.rebook_cooldown,
    )
    existing = session.scalar(
        select(WaitlistEntry.id).where(
            WaitlistEntry.applicant_id == applicant.id,
            WaitlistEntry.demarche_code == demarche.code,
            WaitlistEntry.status.in_(ACTIVE),
        )
    )
    if existing is not None:
        raise BookingError("already_waiting")
    entry = WaitlistEntry(
        applicant_id=applicant.id,
        demarche_code=demarche.code,
        site_code=request.site_code,
        not_before=request.not_before,
        not_after=request.not_after,
        part_of_day=request.part_of_day,
        rights_end=priority_date(request.rights_end, today),
        numero_etranger_hash=numero_hash,
        booked_by=BookedBy.MEDIATOR if request.mediator_ref else BookedBy.SELF,
        mediator_ref=request.mediator_ref,
        status=WaitlistStatus.WAITING,
        requested_at=now,
    )
    session.add(entry)
    session.flush()
    offer_to_entry(session, config, entry, now=now)
    return entry


def _own_entry(session: Session, entry_id: int, phone: str) -> WaitlistEntry:
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None or entry.applicant.phone != phone_or_refuse(phone):
        raise BookingError("waitlist_entry_not_found")
    return entry


def _pending_offer_of(session: Session, entry_id: int) -> WaitlistOffer | None:
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


def _close_offer(
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


def leave(
    session: Session, config: EngineConfig, entry_id: int, phone: str, *, now: datetime
) -> WaitlistEntry:
    entry = _own_entry(session, entry_id, phone)
    if entry.status not in ACTIVE:
        raise BookingError("waitlist_entry_not_found")
    offer = _pending_offer_of(session, entry.id)
    closed = (
        offer is not None
        and _close_offer(
            session, config, offer, OfferStatus.DECLINED, now=now, entry_status=WaitlistStatus.LEFT
        )
        is not None
    )
    if not closed:
        entry.status = WaitlistStatus.LEFT
        entry.closed_at = now
    session.flush()
    return entry


def position(session: Session, entry: WaitlistEntry) -> int:
    """1 = next served, among the waiting entries for the same démarche and site."""
    ahead = select(func.count(WaitlistEntry.id)).where(
        WaitlistEntry.demarche_code == entry.demarche_code,
        WaitlistEntry.site_code == entry.site_code,
        WaitlistEntry.status.in_(ACTIVE),
        WaitlistEntry.id != entry.id,
    )
    if entry.rights_end is None:
        ahead = ahead.where(
            (WaitlistEntry.rights_end.is_not(None))
            | (WaitlistEntry.requested_at < entry.requested_at)
            | ((WaitlistEntry.requested_at == entry.requested_at) & (WaitlistEntry.id < entry.id))
        )
    else:
        ahead = ahead.where(
            (WaitlistEntry.rights_end < entry.rights_end)
            | (
                (WaitlistEntry.rights_end == entry.rights_end)
                & (
                    (WaitlistEntry.requested_at < entry.requested_at)
                    | (
                        (WaitlistEntry.requested_at == entry.requested_at)
                        & (WaitlistEntry.id < entry.id)
                    )
                )
            )
        )
    return int(session.scalar(ahead) or 0) + 1


def entries_of(session: Session, phone: str) -> list[WaitlistEntry]:
    phone = phone_or_refuse(phone)
    return list(
        session.scalars(
            select(WaitlistEntry)
            .join(Applicant)
            .where(Applicant.phone == phone, WaitlistEntry.status.in_(ACTIVE))
            .order_by(WaitlistEntry.requested_at)
        )
    )


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
    closed = _close_offer(
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
        closed = _close_offer(
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


def offers_to_notify(session: Session, *, limit: int = 100) -> list[WaitlistOffer]:
    """Pending offers nobody has told the applicant about yet (for the scheduler)."""
    return list(
        session.scalars(
            select(WaitlistOffer)
            .where(WaitlistOffer.status == OfferStatus.PENDING, WaitlistOffer.notified_at.is_(None))
            .order_by(WaitlistOffer.offered_at)
            .limit(limit)
        )
    )


def mark_offer_notified(session: Session, offer_id: int, *, now: datetime) -> None:
    session.execute(
        update(WaitlistOffer)
        .where(WaitlistOffer.id == offer_id, WaitlistOffer.notified_at.is_(None))
        .values(notified_at=now)
    )
