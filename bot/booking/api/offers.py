"""Waitlist offers: the applicant's pending ones, accept (→ a booking), decline."""

from __future__ import annotations

from fastapi import APIRouter

from bot.booking import offers
from bot.booking.api.deps import IdPath, TransactionalRoute, UnitDep
from bot.booking.schemas import BookingOut, OfferOut, PhoneIn

router = APIRouter(tags=["waitlist"], route_class=TransactionalRoute)


@router.post("/offers/mine", response_model=list[OfferOut])
def my_offers(body: PhoneIn, u: UnitDep) -> list[OfferOut]:
    return [OfferOut.of(o) for o in offers.offers_of(u.session, body.phone) if o.expires_at > u.now]


@router.post("/offers/{offer_id}/accept", response_model=BookingOut, status_code=201)
def accept_offer(offer_id: IdPath, body: PhoneIn, u: UnitDep) -> BookingOut:
    return BookingOut.of(offers.accept(u.session, u.config, offer_id, body.phone, now=u.now))


@router.post("/offers/{offer_id}/decline", response_model=OfferOut)
def decline_offer(offer_id: IdPath, body: PhoneIn, u: UnitDep) -> OfferOut:
    return OfferOut.of(offers.decline(u.session, u.config, offer_id, body.phone, now=u.now))
