"""Searching free slots."""

from __future__ import annotations

from fastapi import APIRouter

from bot.booking import slots
from bot.booking.api.deps import TransactionalRoute, UnitDep
from bot.booking.schemas import SearchIn, SearchOut, SlotOut

router = APIRouter(tags=["slots"], route_class=TransactionalRoute)


@router.post("/slots/search", response_model=SearchOut)
def search_slots(body: SearchIn, u: UnitDep) -> SearchOut:
    """Free slots, earliest first. Journals an AvailabilityCheck (the applicant's dated proof)."""
    result = slots.search(
        u.session,
        slots.SearchRequest(
            demarche_code=body.demarche,
            site_code=body.site,
            date_from=body.date_from,
            date_to=body.date_to,
            part_of_day=body.part_of_day,
            limit=body.limit,
            phone=body.phone,
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
