"""What a mediator does from the page besides the conversation, through the booking engine with
a `Caller` of kind "mediator" bound to the consented phone: the applicant's bookings, waitlist
entries, offers and proof journal, and cancelling, leaving, accepting or declining. Every step
is written to the audit (bot.booking.mediators.audit). The booking stays the applicant's: the
engine acts with their phone, which keeps the convocation, the reminders and SMS cancelling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.booking import bookings, offers, releases, waitlist
from bot.booking.config import EngineConfig
from bot.booking.credentials import SERVICE_SCOPES, Caller
from bot.booking.errors import BookingError
from bot.booking.mediators import Consent, audit, mediator_ref
from bot.booking.models import BookedBy, Booking, WaitlistEntry, WaitlistOffer
from bot.booking.proof import ProofJournal, journal


@dataclass(frozen=True)
class Overview:
    bookings: list[Booking]
    entries: list[tuple[WaitlistEntry, int | None]]  # with the position in the queue
    offers: list[WaitlistOffer]


def caller_for(consent: Consent, phone: str) -> Caller:
    return Caller("mediator", mediator_ref(consent.mediator_id), SERVICE_SCOPES, phone=phone)


def _phone(caller: Caller) -> str:
    if caller.kind != "mediator" or caller.phone is None or not caller.may_act_for(caller.phone):
        raise BookingError("no_consent")
    return caller.phone


def overview(session: Session, caller: Caller, *, now: datetime) -> Overview:
    phone = _phone(caller)
    entries = [
        (entry, waitlist.position(session, entry)) for entry in waitlist.entries_of(session, phone)
    ]
    return Overview(
        bookings.bookings_of(session, phone, now=now),
        entries,
        [o for o in offers.offers_of(session, phone) if o.expires_at > now],
    )


def proof(session: Session, caller: Caller, mediator_id: int, *, now: datetime) -> ProofJournal:
    phone = _phone(caller)
    audit(session, mediator_id, "proof_read", now=now, phone=phone)
    return journal(session, phone)


def cancel(
    session: Session,
    config: EngineConfig,
    caller: Caller,
    mediator_id: int,
    code: str,
    *,
    now: datetime,
) -> Booking:
    phone = _phone(caller)
    booking = bookings.cancel(session, config, code, phone=phone, now=now)
    audit(session, mediator_id, "booking_cancelled", now=now, phone=phone, detail=booking.code)
    return booking


def release_numero(
    session: Session,
    config: EngineConfig,
    caller: Caller,
    mediator_id: int,
    numero: str,
    *,
    now: datetime,
) -> releases.Release:
    """The applicant beside the mediator shows the titre or récépissé carrying `numero`: the
    bookings another phone holds under it are released (decision 0024). The consented phone is
    the owner's, so theirs stay; the engine writes the audit, naming this mediator."""
    phone = _phone(caller)
    return releases.release_numero(
        session,
        config,
        numero,
        owner_phone=phone,
        checked_by=releases.CardCheck(mediator_id=mediator_id),
        now=now,
    )


def leave(
    session: Session,
    config: EngineConfig,
    caller: Caller,
    mediator_id: int,
    entry_id: int,
    *,
    now: datetime,
) -> WaitlistEntry:
    phone = _phone(caller)
    entry = waitlist.leave(session, config, entry_id, phone, now=now)
    audit(session, mediator_id, "waitlist_left", now=now, phone=phone, detail=str(entry_id))
    return entry


def answer_offer(
    session: Session,
    config: EngineConfig,
    caller: Caller,
    mediator_id: int,
    offer_id: int,
    accept: bool,
    *,
    now: datetime,
) -> None:
    phone = _phone(caller)
    if accept:
        booking = offers.accept(session, config, offer_id, phone, now=now)
        # The place came from the waitlist: the booking is marked as the mediator's too.
        booking.mediator_ref = booking.mediator_ref or caller.name
        booking.booked_by = BookedBy.MEDIATOR
        audit(session, mediator_id, "offer_accepted", now=now, phone=phone, detail=booking.code)
    else:
        offers.decline(session, config, offer_id, phone, now=now)
        audit(session, mediator_id, "offer_declined", now=now, phone=phone, detail=str(offer_id))
