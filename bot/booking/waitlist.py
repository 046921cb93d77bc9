"""The fair waitlist: joining and leaving the queue, and one's rank in it.

Priority: the date the person's rights run out (earliest first, unknown last, a past date
counted as today), then the time of the request. The places themselves reach the queue as
offers (`offers.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.booking.applicants import get_or_create_applicant, numero_or_refuse, phone_or_refuse
from bot.booking.config import EngineConfig
from bot.booking.errors import BookingError
from bot.booking.models import (
    Applicant,
    BookedBy,
    OfferStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from bot.booking.offers import ACTIVE, close_offer, offer_to_entry, pending_offer_of
from bot.booking.rules import (
    offered_at,
    refuse_if_already_booked,
    refuse_if_recently_served,
)


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


def priority_date(declared: date | None, today: date) -> date | None:
    """The rights-end date a new entry is ranked by. Rights that already ran out are exactly as
    urgent as rights ending today: a date typed years back would otherwise put its author ahead
    of every person who is just as out of rights, on nothing the engine can check. Among them,
    the earlier request goes first."""
    if declared is None:
        return None
    return max(declared, today)


def join(
    session: Session, config: EngineConfig, request: WaitlistRequest, *, now: datetime
) -> WaitlistEntry:
    phone = phone_or_refuse(request.phone)
    numero = numero_or_refuse(request.numero_etranger, config.secret_key)
    demarche, site = offered_at(session, request.demarche_code, request.site_code)
    if request.not_before and request.not_after and request.not_after < request.not_before:
        raise BookingError("invalid_dates", detail="not_after < not_before")
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


def leave(
    session: Session, config: EngineConfig, entry_id: int, phone: str, *, now: datetime
) -> WaitlistEntry:
    entry = _own_entry(session, entry_id, phone)
    if entry.status not in ACTIVE:
        raise BookingError("waitlist_entry_not_found")
    offer = pending_offer_of(session, entry.id)
    closed = (
        offer is not None
        and close_offer(
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
