"""Waitlist offers: the applicant's pending ones, accept (→ a booking), decline."""

from __future__ import annotations

from fastapi import APIRouter, Request

from bot.booking import offers
from bot.booking.api.deps import (
    IdPath,
    ReaderDep,
    TransactionalRoute,
    UnitDep,
    WriterDep,
    count_new_booking,
    for_phone,
)
from bot.booking.schemas import BookingOut, OfferOut, PhoneIn

router = APIRouter(tags=["waitlist"], route_class=TransactionalRoute)


@router.post("/offers/mine", response_model=list[OfferOut])
def my_offers(request: Request, body: PhoneIn, u: UnitDep, _caller: ReaderDep) -> list[OfferOut]:
    phone = for_phone(request, body.phone)
    return [OfferOut.of(o) for o in offers.offers_of(u.session, phone) if o.expires_at > u.now]


@router.post("/offers/{offer_id}/accept", response_model=BookingOut, status_code=201)
def accept_offer(
    request: Request, offer_id: IdPath, body: PhoneIn, u: UnitDep, caller: WriterDep
) -> BookingOut:
    count_new_booking(request, caller)
    phone = for_phone(request, body.phone)
    return BookingOut.of(offers.accept(u.session, u.config, offer_id, phone, now=u.now))


@router.post("/offers/{offer_id}/decline", response_model=OfferOut)
def decline_offer(
    request: Request, offer_id: IdPath, body: PhoneIn, u: UnitDep, _caller: WriterDep
) -> OfferOut:
    phone = for_phone(request, body.phone)
    return OfferOut.of(offers.decline(u.session, u.config, offer_id, phone, now=u.now))
