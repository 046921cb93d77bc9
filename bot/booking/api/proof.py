"""The applicant's journal of searches."""

from __future__ import annotations

from fastapi import APIRouter, Request

from bot.booking import proof
from bot.booking.api.deps import ReaderDep, TransactionalRoute, UnitDep, for_phone
from bot.booking.schemas import CheckOut, PhoneIn

router = APIRouter(tags=["proof"], route_class=TransactionalRoute)


@router.post("/proof", response_model=list[CheckOut])
def proof_journal(
    request: Request, body: PhoneIn, u: UnitDep, _caller: ReaderDep
) -> list[CheckOut]:
    """Every dated search this phone made: evidence for a référé « mesures utiles »."""
    return [CheckOut.of(c) for c in proof.searches_of(u.session, for_phone(request, body.phone))]
