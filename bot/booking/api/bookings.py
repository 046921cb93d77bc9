"""Bookings: book, the applicant's own, verify (for a guichet agent), cancel, reschedule."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request

from bot.booking import bookings, convocation
from bot.booking.api.deps import (
    CodePath,
    ReaderDep,
    TransactionalRoute,
    UnitDep,
    WriterDep,
    consented,
    count_new_booking,
    for_phone,
)
from bot.booking.schemas import (
    BookIn,
    BookingOut,
    OwnerIn,
    PhoneIn,
    RescheduleIn,
    SiteOut,
    SlotOut,
    VerificationOut,
)

router = APIRouter(tags=["bookings"], route_class=TransactionalRoute)


@router.post("/bookings", response_model=BookingOut, status_code=201)
def book(
    request: Request,
    body: BookIn,
    u: UnitDep,
    caller: WriterDep,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
) -> BookingOut:
    """Books a place. The same `Idempotency-Key` (header or body) twice gives one booking."""
    count_new_booking(request, caller)
    phone = for_phone(request, body.phone)
    booking = bookings.book(
        u.session,
        u.config,
        bookings.BookRequest(
            slot_id=body.slot_id,
            phone=phone,
            numero_etranger=body.numero_etranger,
            language=body.language,
            mediator_ref=consented(request, u, body.mediator_ref, phone),
            idempotency_key=body.idempotency_key or idempotency_key,
            bring=tuple(body.bring),
        ),
        now=u.now,
    )
    return BookingOut.of(booking)


def owner_phone(request: Request, u: UnitDep, code: str, body: OwnerIn) -> str | None:
    """The phone that acts on a booking: the body's, or for a mediator the booking's own phone
    once the consent for it is checked."""
    if body.phone:
        phone = for_phone(request, body.phone)
        consented(request, u, body.mediator_ref, phone)
        return phone
    if body.mediator_ref is None:
        return None
    phone = bookings.find_by_code(u.session, code).applicant.phone
    consented(request, u, body.mediator_ref, phone)
    return for_phone(request, phone)


@router.post("/bookings/mine", response_model=list[BookingOut])
def my_bookings(
    request: Request, body: PhoneIn, u: UnitDep, _caller: ReaderDep
) -> list[BookingOut]:
    phone = for_phone(request, body.phone)
    return [BookingOut.of(b) for b in bookings.bookings_of(u.session, phone, now=u.now)]


# A code, or the signed payload of a printed convocation's QR code (URL-safe as it is).
PresentedPath = Annotated[str, Path(max_length=convocation.MAX_PRESENTED)]


@router.get("/bookings/{code}/verify", response_model=VerificationOut)
def verify(request: Request, code: PresentedPath, u: UnitDep) -> VerificationOut:
    """For a guichet agent: valid/invalid with the slot, the site and the démarche (no phone).
    `code` is the convocation code or the QR payload (`G1.…`): an altered payload is invalid
    (`invalid_signature`), a payload printed before the booking moved too
    (`convocation_changed`)."""
    public_key = request.app.state.settings.convocation_key().public_key()
    return verification_out(convocation.verify_presented(u.session, code, public_key, now=u.now))


def verification_out(result: bookings.Verification) -> VerificationOut:
    booking = result.booking
    return VerificationOut(
        code=result.code,
        valid=result.valid,
        reason=result.reason,
        signed=result.signed,
        status=booking.status.value if booking else None,
        demarche=booking.demarche_code if booking else None,
        slot=SlotOut.of(booking.slot) if booking else None,
        site=SiteOut.of(booking.slot.site) if booking else None,
    )


@router.post("/bookings/{code}/cancel", response_model=BookingOut)
def cancel(
    request: Request, code: CodePath, body: OwnerIn, u: UnitDep, _caller: WriterDep
) -> BookingOut:
    phone = owner_phone(request, u, code, body)
    booking = bookings.cancel(u.session, u.config, code, phone=phone, now=u.now)
    return BookingOut.of(booking)


@router.post("/bookings/{code}/reschedule", response_model=BookingOut)
def reschedule(
    request: Request, code: CodePath, body: RescheduleIn, u: UnitDep, _caller: WriterDep
) -> BookingOut:
    booking = bookings.reschedule(
        u.session,
        u.config,
        code,
        body.new_slot_id,
        phone=owner_phone(request, u, code, body),
        now=u.now,
    )
    u.session.refresh(booking)
    return BookingOut.of(booking)
