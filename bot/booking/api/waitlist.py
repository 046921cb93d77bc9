"""The waitlist: join (with an offer at once if a fitting place is free), one's entries, leave."""

from __future__ import annotations

from fastapi import APIRouter, Request

from bot.booking import offers, waitlist
from bot.booking.api.deps import (
    IdPath,
    ReaderDep,
    TransactionalRoute,
    UnitDep,
    WriterDep,
    consented,
    count_new_booking,
    for_phone,
)
from bot.booking.schemas import JoinOut, OfferOut, PhoneIn, WaitlistEntryOut, WaitlistIn

router = APIRouter(tags=["waitlist"], route_class=TransactionalRoute)


@router.post("/waitlist", response_model=JoinOut, status_code=201)
def join_waitlist(request: Request, body: WaitlistIn, u: UnitDep, caller: WriterDep) -> JoinOut:
    """Joins the waitlist; if a fitting place is already free it is offered at once."""
    count_new_booking(request, caller)
    phone = for_phone(request, body.phone)
    entry = waitlist.join(
        u.session,
        u.config,
        waitlist.WaitlistRequest(
            phone=phone,
            demarche_code=body.demarche,
            site_code=body.site,
            not_before=body.not_before,
            not_after=body.not_after,
            part_of_day=body.part_of_day,
            rights_end=body.rights_end,
            numero_etranger=body.numero_etranger,
            language=body.language,
            mediator_ref=consented(request, u, body.mediator_ref, phone),
        ),
        now=u.now,
    )
    offer = offers.pending_offer_of(u.session, entry.id)
    return JoinOut(
        entry=WaitlistEntryOut.of(entry, waitlist.position(u.session, entry)),
        offer=OfferOut.of(offer) if offer else None,
    )


@router.post("/waitlist/mine", response_model=list[WaitlistEntryOut])
def my_waitlist(
    request: Request, body: PhoneIn, u: UnitDep, _caller: ReaderDep
) -> list[WaitlistEntryOut]:
    return [
        WaitlistEntryOut.of(e, waitlist.position(u.session, e))
        for e in waitlist.entries_of(u.session, for_phone(request, body.phone))
    ]


@router.post("/waitlist/{entry_id}/leave", response_model=WaitlistEntryOut)
def leave_waitlist(
    request: Request, entry_id: IdPath, body: PhoneIn, u: UnitDep, _caller: WriterDep
) -> WaitlistEntryOut:
    phone = for_phone(request, body.phone)
    return WaitlistEntryOut.of(
        waitlist.leave(u.session, u.config, entry_id, phone, now=u.now), None
    )
