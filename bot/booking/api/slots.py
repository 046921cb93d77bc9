"""Searching free slots."""

from __future__ import annotations

from fastapi import APIRouter, Request

from bot.booking import slots
from bot.booking.api.deps import CallerDep, TransactionalRoute, UnitDep, authorised, for_phone
from bot.booking.credentials import Scope
from bot.booking.schemas import SearchIn, SearchOut, SlotOut

router = APIRouter(tags=["slots"], route_class=TransactionalRoute)


@router.post("/slots/search", response_model=SearchOut)
def search_slots(request: Request, body: SearchIn, u: UnitDep, caller: CallerDep) -> SearchOut:
    """Free slots, earliest first; open to all. With a phone (a trusted caller only) the search
    is journaled in that applicant's dated proof."""
    phone = None
    if body.phone is not None:
        authorised(Scope.BOOKINGS_WRITE)(request, caller)
        phone = for_phone(request, body.phone)
    result = slots.search(
        u.session,
        slots.SearchRequest(
            demarche_code=body.demarche,
            site_code=body.site,
            date_from=body.date_from,
            date_to=body.date_to,
            part_of_day=body.part_of_day,
            limit=body.limit,
            phone=phone,
            language=body.language,
            min_lead=u.config.min_lead,
        ),
        now=u.now,
    )
    return SearchOut(
        check_id=result.check.id,
        checked_at=result.check.checked_at,
        slots_found=result.check.slots_found,
        earliest_start=result.check.earliest_start,
        slots=[SlotOut.of(s) for s in result.slots],
        nearest=[SlotOut.of(s) for s in result.nearest],
    )
