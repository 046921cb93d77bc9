"""The booking HTTP API: the contract actions, channels and a préfecture's own system use.

One session and one transaction per request: a refusal (`BookingError`) rolls everything
back and becomes `{"error": {"code", "message"}}` with a 4xx. Phones travel in JSON bodies,
never in URLs, so access logs cannot leak them.

The app provides in `app.state`: `session_factory`, `booking_config` (EngineConfig),
`clock` (() -> aware UTC datetime) and `settings` (for the admin token).
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.booking import publishing, services, waitlist
from bot.booking.codes import display_code
from bot.booking.engine import EngineConfig
from bot.booking.errors import BookingError
from bot.booking.models import Demarche, Site
from bot.booking.schemas import (
    AttendanceIn,
    BookIn,
    BookingOut,
    CheckOut,
    ConvocationOut,
    DemarcheOut,
    ErrorOut,
    ExpireOut,
    JoinOut,
    OfferOut,
    OwnerIn,
    PhoneIn,
    PublishIn,
    PublishOut,
    RescheduleIn,
    SearchIn,
    SearchOut,
    SiteOut,
    SlotOut,
    StatsOut,
    VerificationOut,
    WaitlistEntryOut,
    WaitlistIn,
)
from bot.booking.sites import resolve_sites
from bot.i18n import normalise_language

API_PREFIX = "/api"
VERSIONED_PREFIX = "/api/v1"

REFUSAL_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 409, 410, 422)
}


@dataclass
class Unit:
    """What a request works with: its session, the engine's settings and the time."""

    session: Session
    config: EngineConfig
    now: datetime


# Why commits happen inside the endpoint's thread (TransactionalRoute): a sync endpoint's
# response is validated on the shared worker pool *before* a yield dependency's teardown runs.
# Under a burst every worker can be blocked on a row lock held by a finished request that is
# itself queued for a worker to commit — a deadlock (seen with 50 clients on PostgreSQL).
FINISH_THREADS = 16


def _finish(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def _finish_limiter(app: FastAPI) -> anyio.CapacityLimiter:
    limiter = getattr(app.state, "unit_finish_limiter", None)
    if limiter is None:
        limiter = app.state.unit_finish_limiter = anyio.CapacityLimiter(FINISH_THREADS)
    return limiter


async def unit(request: Request) -> AsyncIterator[Unit]:
    """One session and one transaction per request. On a TransactionalRoute the endpoint's
    thread commits (or rolls back) and closes it; on any other route this teardown does, on
    threads of its own."""
    state = request.app.state
    clock: Callable[[], datetime] = state.clock
    current = Unit(state.session_factory(), state.booking_config, clock())
    try:
        yield current
    except BaseException:
        if current.session.in_transaction():
            await anyio.to_thread.run_sync(
                _finish, current.session, False, limiter=_finish_limiter(request.app)
            )
        raise
    if current.session.in_transaction():
        await anyio.to_thread.run_sync(
            _finish, current.session, True, limiter=_finish_limiter(request.app)
        )


def transactional(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Commits the endpoint's units of work as it returns, rolls back when it raises."""
    if getattr(endpoint, "_transactional", False):
        return endpoint

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        units = [v for v in kwargs.values() if isinstance(v, Unit)]
        try:
            result = endpoint(*args, **kwargs)
        except BaseException:
            for u in units:
                _finish(u.session, commit=False)
            raise
        for u in units:
            _finish(u.session, commit=True)
        return result

    run._transactional = True  # type: ignore[attr-defined]
    return run


class TransactionalRoute(APIRoute):
    """Use as `APIRouter(route_class=TransactionalRoute)` for sync endpoints taking a UnitDep."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, transactional(endpoint), **kwargs)


router = APIRouter(responses=REFUSAL_RESPONSES, route_class=TransactionalRoute)
admin = APIRouter(
    prefix="/admin", tags=["admin"], responses=REFUSAL_RESPONSES, route_class=TransactionalRoute
)
UnitDep = Annotated[Unit, Depends(unit, scope="function")]
CodePath = Annotated[str, Path(max_length=32)]
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


def require_admin(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    token = getattr(request.app.state.settings, "admin_token", "")
    if not token:
        raise BookingError("admin_disabled")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        raise BookingError("unauthorized")


@router.get("/demarches", response_model=list[DemarcheOut], tags=["catalogue"])
def list_demarches(u: UnitDep) -> list[DemarcheOut]:
    rows = u.session.scalars(select(Demarche).order_by(Demarche.code))
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


@router.get("/demarches/{demarche}/sites", response_model=list[SiteOut], tags=["catalogue"])
def sites_for_demarche(demarche: Annotated[str, Path(max_length=64)], u: UnitDep) -> list[SiteOut]:
    return [SiteOut.of(s) for s in services.sites_for(u.session, demarche)]


@router.get("/sites/resolve", response_model=list[SiteOut], tags=["catalogue"])
def resolve_site(
    u: UnitDep,
    q: Annotated[
        str, Query(min_length=1, max_length=100, description="département, postal code or city")
    ],
    demarche: Annotated[str | None, Query(max_length=64)] = None,
) -> list[SiteOut]:
    sites = (
        services.sites_for(u.session, demarche)
        if demarche
        else list(u.session.scalars(select(Site).order_by(Site.code)))
    )
    found = resolve_sites(q, sites)
    if not found:
        raise BookingError("site_not_found", query=q)
    return [SiteOut.of(s) for s in found]


@router.post("/slots/search", response_model=SearchOut, tags=["slots"])
def search_slots(body: SearchIn, u: UnitDep) -> SearchOut:
    """Free slots, earliest first. Journals an AvailabilityCheck (the applicant's dated proof)."""
    result = services.search(
        u.session,
        services.SearchRequest(
            demarche_code=body.demarche,
            site_code=body.site,
            date_from=body.date_from,
            date_to=body.date_to,
            part_of_day=body.part_of_day,
            limit=body.limit,
            phone=body.phone,
            language=body.language,
        ),
        now=u.now,
    )
    return SearchOut(
        check_id=result.check.id,
        checked_at=result.check.checked_at,
        slots_found=result.check.slots_found,
        earliest_start=result.check.earliest_start,
        slots=[SlotOut.of(s) for s in result.slots],
    )


@router.post("/bookings", response_model=BookingOut, status_code=201, tags=["bookings"])
def book(
    body: BookIn, u: UnitDep, idempotency_key: Annotated[str | None, Header(max_length=64)] = None
) -> BookingOut:
    """Books a place. The same `Idempotency-Key` (header or body) twice gives one booking."""
    booking = services.book(
        u.session,
        u.config,
        services.BookRequest(
            slot_id=body.slot_id,
            phone=body.phone,
            numero_etranger=body.numero_etranger,
            language=body.language,
            mediator_ref=body.mediator_ref,
            idempotency_key=body.idempotency_key or idempotency_key,
        ),
        now=u.now,
    )
    return BookingOut.of(booking)


@router.post("/bookings/mine", response_model=list[BookingOut], tags=["bookings"])
def my_bookings(body: PhoneIn, u: UnitDep) -> list[BookingOut]:
    return [BookingOut.of(b) for b in services.bookings_of(u.session, body.phone, now=u.now)]


@router.get("/bookings/{code}/verify", response_model=VerificationOut, tags=["bookings"])
def verify(code: CodePath, u: UnitDep) -> VerificationOut:
    """For a guichet agent: valid/invalid with the slot, the site and the démarche (no phone)."""
    return verification_out(services.verify(u.session, code, now=u.now))


def verification_out(result: services.Verification) -> VerificationOut:
    booking = result.booking
    return VerificationOut(
        code=result.code,
        valid=result.valid,
        reason=result.reason,
        status=booking.status.value if booking else None,
        demarche=booking.demarche_code if booking else None,
        slot=SlotOut.of(booking.slot) if booking else None,
        site=SiteOut.of(booking.slot.site) if booking else None,
    )


@router.post("/bookings/{code}/cancel", response_model=BookingOut, tags=["bookings"])
def cancel(code: CodePath, body: OwnerIn, u: UnitDep) -> BookingOut:
    booking = services.cancel(
        u.session, u.config, code, phone=body.phone, mediator_ref=body.mediator_ref, now=u.now
    )
    return BookingOut.of(booking)


@router.post("/bookings/{code}/reschedule", response_model=BookingOut, tags=["bookings"])
def reschedule(code: CodePath, body: RescheduleIn, u: UnitDep) -> BookingOut:
    booking = services.reschedule(
        u.session,
        u.config,
        code,
        body.new_slot_id,
        phone=body.phone,
        mediator_ref=body.mediator_ref,
        now=u.now,
    )
    u.session.refresh(booking)
    return BookingOut.of(booking)


@router.post("/waitlist", response_model=JoinOut, status_code=201, tags=["waitlist"])
def join_waitlist(body: WaitlistIn, u: UnitDep) -> JoinOut:
    """Joins the waitlist; if a fitting place is already free it is offered at once."""
    entry = waitlist.join(
        u.session,
        u.config,
        waitlist.WaitlistRequest(
            phone=body.phone,
            demarche_code=body.demarche,
            site_code=body.site,
            not_before=body.not_before,
            not_after=body.not_after,
            part_of_day=body.part_of_day,
            rights_end=body.rights_end,
            numero_etranger=body.numero_etranger,
            language=body.language,
            mediator_ref=body.mediator_ref,
        ),
        now=u.now,
    )
    offer = waitlist._pending_offer_of(u.session, entry.id)
    return JoinOut(
        entry=WaitlistEntryOut.of(entry, waitlist.position(u.session, entry)),
        offer=OfferOut.of(offer) if offer else None,
    )


@router.post("/waitlist/mine", response_model=list[WaitlistEntryOut], tags=["waitlist"])
def my_waitlist(body: PhoneIn, u: UnitDep) -> list[WaitlistEntryOut]:
    return [
        WaitlistEntryOut.of(e, waitlist.position(u.session, e))
        for e in waitlist.entries_of(u.session, body.phone)
    ]


@router.post("/waitlist/{entry_id}/leave", response_model=WaitlistEntryOut, tags=["waitlist"])
def leave_waitlist(entry_id: IdPath, body: PhoneIn, u: UnitDep) -> WaitlistEntryOut:
    return WaitlistEntryOut.of(
        waitlist.leave(u.session, u.config, entry_id, body.phone, now=u.now), None
    )


@router.post("/offers/mine", response_model=list[OfferOut], tags=["waitlist"])
def my_offers(body: PhoneIn, u: UnitDep) -> list[OfferOut]:
    return [
        OfferOut.of(o) for o in waitlist.offers_of(u.session, body.phone) if o.expires_at > u.now
    ]


@router.post(
    "/offers/{offer_id}/accept", response_model=BookingOut, status_code=201, tags=["waitlist"]
)
def accept_offer(offer_id: IdPath, body: PhoneIn, u: UnitDep) -> BookingOut:
    return BookingOut.of(waitlist.accept(u.session, u.config, offer_id, body.phone, now=u.now))


@router.post("/offers/{offer_id}/decline", response_model=OfferOut, tags=["waitlist"])
def decline_offer(offer_id: IdPath, body: PhoneIn, u: UnitDep) -> OfferOut:
    return OfferOut.of(waitlist.decline(u.session, u.config, offer_id, body.phone, now=u.now))


@router.post("/proof", response_model=list[CheckOut], tags=["proof"])
def proof_journal(body: PhoneIn, u: UnitDep) -> list[CheckOut]:
    """Every dated search this phone made: evidence for a référé « mesures utiles »."""
    return [CheckOut.of(c) for c in services.proof_journal(u.session, body.phone)]


@admin.post("/publish", response_model=PublishOut, dependencies=[Depends(require_admin)])
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


@admin.post("/offers/expire", response_model=ExpireOut, dependencies=[Depends(require_admin)])
def expire_offers(u: UnitDep) -> ExpireOut:
    return ExpireOut(expired=len(waitlist.expire_offers(u.session, u.config, now=u.now)))


@admin.get(
    "/convocations", response_model=list[ConvocationOut], dependencies=[Depends(require_admin)]
)
def convocations(
    site: Annotated[str, Query(max_length=32)], day: date, u: UnitDep
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
        for b in services.convocations(u.session, site, day)
    ]


@admin.post(
    "/bookings/{code}/attendance", response_model=BookingOut, dependencies=[Depends(require_admin)]
)
def attendance(code: CodePath, body: AttendanceIn, u: UnitDep) -> BookingOut:
    return BookingOut.of(services.mark_attendance(u.session, code, body.honoured, now=u.now))


@admin.get("/stats", response_model=StatsOut, dependencies=[Depends(require_admin)])
def stats(u: UnitDep, site: Annotated[str | None, Query(max_length=32)] = None) -> StatsOut:
    return StatsOut(**services.stats(u.session, now=u.now, site_code=site).__dict__)


router.include_router(admin)


def _language(request: Request) -> str:
    return normalise_language(request.headers.get("accept-language"))


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})


def install(app: FastAPI) -> None:
    """Mounts the API (versioned, plus an unversioned alias) and its error envelope."""
    app.include_router(router, prefix=VERSIONED_PREFIX)
    app.include_router(router, prefix=API_PREFIX, include_in_schema=False)

    @app.exception_handler(BookingError)
    async def _refusal(request: Request, exc: BookingError) -> JSONResponse:
        return _error(exc.http_status, exc.code, exc.message(_language(request)))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if not request.url.path.startswith(API_PREFIX):
            return await request_validation_exception_handler(request, exc)
        detail = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ()) if p != 'body')}: {err.get('msg', '')}"
            for err in exc.errors()[:5]
        )
        refusal = BookingError("invalid_request", detail=detail[:500])
        return _error(422, refusal.code, refusal.message(_language(request)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if not request.url.path.startswith(API_PREFIX):
            return await http_exception_handler(request, exc)  # type: ignore[return-value]
        if exc.status_code == 404:
            refusal = BookingError("not_found")
            return _error(404, refusal.code, refusal.message(_language(request)))
        return _error(exc.status_code, "http_error", str(exc.detail))
