"""The démarches on offer and the sites that offer them, found from what a person types."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from bot import catalogue
from bot.booking.api.deps import TransactionalRoute, UnitDep
from bot.booking.errors import BookingError
from bot.booking.models import DemarcheRow, SiteRow
from bot.booking.schemas import DemarcheOut, SiteOut
from bot.booking.slots import sites_for

router = APIRouter(tags=["catalogue"], route_class=TransactionalRoute)


@router.get("/demarches", response_model=list[DemarcheOut])
def list_demarches(u: UnitDep) -> list[DemarcheOut]:
    rows = u.session.scalars(select(DemarcheRow).order_by(DemarcheRow.code))
    return [
        DemarcheOut(
            code=d.code,
            name=d.name,
            slot_minutes=d.slot_minutes,
            horizon_days=d.horizon_days,
            needs_numero_etranger=d.needs_numero_etranger,
        )
        for d in rows
    ]


@router.get("/demarches/{demarche}/sites", response_model=list[SiteOut])
def sites_for_demarche(demarche: Annotated[str, Path(max_length=64)], u: UnitDep) -> list[SiteOut]:
    return [SiteOut.of(s) for s in sites_for(u.session, demarche)]


@router.get("/sites/resolve", response_model=list[SiteOut])
def resolve_site(
    u: UnitDep,
    q: Annotated[
        str, Query(min_length=1, max_length=100, description="département, postal code or city")
    ],
    demarche: Annotated[str | None, Query(max_length=64)] = None,
) -> list[SiteOut]:
    sites = (
        sites_for(u.session, demarche)
        if demarche
        else list(u.session.scalars(select(SiteRow).order_by(SiteRow.code)))
    )
    # The catalogue reads the text (its resolver is the only one); the answer is the stored
    # sites it names, among those offering the démarche when one is given.
    named = {site.code for site in catalogue.resolve_site(q, catalogue.get_catalogue())}
    found = [s for s in sites if s.code in named]
    if not found:
        raise BookingError("site_not_found", query=q)
    return [SiteOut.of(s) for s in found]
