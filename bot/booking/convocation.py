"""The printed convocation of a booking, and the counter's check of what a person presents: the
code alone, or the signed QR payload of the printed convocation (bot.signing).

A payload is checked twice. Offline, its signature under the préfecture's public key says the
préfecture issued it for that code, slot start, site and démarche. Then against the database,
like a code: the booking must still be active, and for the same slot start, site and démarche —
a convocation printed before a move is refused (`convocation_changed`) even though its
signature holds, and the counter sees the current slot instead.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from bot import signing
from bot.booking import bookings
from bot.booking.codes import display_code, normalise_code
from bot.booking.errors import BookingError
from bot.booking.models import Booking, BookingStatus
from bot.printing import PrintedConvocation, convocation_pdf

# Why a presented payload is refused before the database is asked (bookings.verify gives the
# others: invalid_code, booking_not_found, cancelled, slot_over...).
INVALID_SIGNATURE = "invalid_signature"
CONVOCATION_CHANGED = "convocation_changed"
MAX_PRESENTED = 400  # longer is neither a code nor a payload: refused unread


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def facts_of(booking: Booking) -> signing.ConvocationFacts:
    """What the signature of this booking's convocation covers, for its current slot."""
    return signing.ConvocationFacts(
        code=booking.code,
        starts_at=_utc(booking.slot.starts_at).replace(second=0, microsecond=0),
        site=booking.slot.site_code,
        demarche=booking.demarche_code,
    )


def payload_of(booking: Booking, key: Ed25519PrivateKey) -> str:
    """The signed QR payload of this booking's convocation."""
    return signing.sign(facts_of(booking), key)


def printed(booking: Booking, key: Ed25519PrivateKey) -> PrintedConvocation:
    slot = booking.slot
    return PrintedConvocation(
        code=display_code(booking.code),
        starts_at=_utc(slot.starts_at),
        site_name=slot.site.name,
        site_address=slot.site.address,
        demarche=booking.demarche_code,
        payload=payload_of(booking, key),
    )


def convocation_pdf_for(
    session: Session, raw_code: str, key: Ed25519PrivateKey, *, lang: str | None = None
) -> bytes:
    """The PDF of an active booking's convocation, in `lang` (default: the applicant's
    language) and French. Raises BookingError (booking_not_found, booking_not_active…).

    Whoever calls checks first that the caller may see this booking (its owner's chat, a
    mediator holding consent): the PDF names the slot, never the phone."""
    booking = bookings.find_by_code(session, raw_code)
    if booking.status != BookingStatus.BOOKED:
        raise BookingError("booking_not_active")
    return convocation_pdf(printed(booking, key), lang or booking.applicant.language)


def verify_presented(
    session: Session, presented: str, public_key: Ed25519PublicKey, *, now: datetime
) -> bookings.Verification:
    """The counter's check of a code or a QR payload: never the phone.

    `signed` is True when a payload's signature held (whatever the database then said)."""
    presented = (presented or "").strip()[:MAX_PRESENTED]
    if not signing.looks_like_payload(presented):
        return bookings.verify(session, presented, now=now)
    try:
        facts = signing.read(presented, public_key)
    except signing.InvalidPayload:
        claimed = presented.split(".")[1] if presented.count(".") >= 1 else ""
        code = normalise_code(claimed)[:16]
        return bookings.Verification(code=code, valid=False, reason=INVALID_SIGNATURE, booking=None)
    result = replace(bookings.verify(session, facts.code, now=now), signed=True)
    if result.booking is not None and facts_of(result.booking) != facts:
        return replace(result, valid=False, reason=CONVOCATION_CHANGED)
    return result
