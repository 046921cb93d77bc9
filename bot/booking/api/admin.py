"""The préfecture's side, for callers with the `admin` scope (an API key, the admin token): publishing, expiring offers, the day's
convocations, attendance, the figures, and releasing a booking held under someone's numéro
étranger by another phone once the card was seen (decision 0024)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from bot.booking import bookings, offers, publishing, releases, reports
from bot.booking.api.deps import (
    REFUSAL_RESPONSES,
    AdminDep,
    CodePath,
    TransactionalRoute,
    UnitDep,
    authorised,
)
from bot.booking.codes import display_code
from bot.booking.credentials import Scope
from bot.booking.schemas import (
    AttendanceIn,
    BookingOut,
    ConvocationOut,
    Day,
    ExpireOut,
    NumeroReleaseIn,
    NumeroReleaseOut,
    PublishIn,
    PublishOut,
    ReleasedOut,
    SlotOut,
    StatsOut,
)

router = APIRouter(
    prefix="/admin",
    tags=["admin"],
    responses=REFUSAL_RESPONSES,
    route_class=TransactionalRoute,
    dependencies=[Depends(authorised(Scope.ADMIN))],
)


@router.post("/publish", response_model=PublishOut)
def publish(body: PublishIn, u: UnitDep) -> PublishOut:
    result = publishing.publish(
        u.session,
        u.config,
        now=u.now,
        date_from=body.date_from,
        date_to=body.date_to,
        site_code=body.site,
        demarche_code=body.demarche,
    )
    return PublishOut(
        created=result.created,
        already_published=result.already_published,
        offers_made=result.offers_made,
    )


@router.post("/offers/expire", response_model=ExpireOut)
def expire_offers(u: UnitDep) -> ExpireOut:
    return ExpireOut(expired=len(offers.expire_offers(u.session, u.config, now=u.now)))


@router.get("/convocations", response_model=list[ConvocationOut])
def convocations(
    site: Annotated[str, Query(max_length=32)], day: Day, u: UnitDep
) -> list[ConvocationOut]:
    return [
        ConvocationOut(
            code=b.code,
            display_code=display_code(b.code),
            status=b.status.value,
            demarche=b.demarche_code,
            local_start=SlotOut.of(b.slot).local_start,
            booked_by=b.booked_by.value,
        )
        for b in reports.convocations(u.session, site, day)
    ]


@router.post("/bookings/{code}/attendance", response_model=BookingOut)
def attendance(code: CodePath, body: AttendanceIn, u: UnitDep) -> BookingOut:
    return BookingOut.of(bookings.mark_attendance(u.session, code, body.honoured, now=u.now))


@router.post("/numero-releases", response_model=NumeroReleaseOut)
def release_numero(body: NumeroReleaseIn, u: UnitDep, caller: AdminDep) -> NumeroReleaseOut:
    """The agent saw the titre or récépissé carrying `numero_etranger`: every active booking held
    under it by another phone than `owner_phone` is cancelled (`numero_released`), its place
    offered to the waitlist and its phone told why. Posted twice, the second answer lists the
    same bookings under `already_released`. 404 `nothing_to_release` when there is none."""
    done = releases.release_numero(
        u.session,
        u.config,
        body.numero_etranger,
        owner_phone=body.owner_phone,
        checked_by=releases.CardCheck(staff=caller.name),
        now=u.now,
    )
    return NumeroReleaseOut(
        released=[ReleasedOut.of(b) for b in done.released],
        already_released=[ReleasedOut.of(b) for b in done.already_released],
    )


@router.get("/stats", response_model=StatsOut)
def stats(u: UnitDep, site: Annotated[str | None, Query(max_length=32)] = None) -> StatsOut:
    return reports.stats(u.session, now=u.now, site_code=site)
