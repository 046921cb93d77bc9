"""What every route of the booking API shares: the prefixes, the refusal envelope, one session
and one transaction per request (`UnitDep`, committed by `TransactionalRoute`), and who calls
(`identify`, `authorised(scope)`: one dependency for every protected route, with the rate
limits per IP, per credential and per phone). The scheduler's routes use the same."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, Header, Path, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from bot.booking import mediators
from bot.booking.applicants import phone_or_refuse
from bot.booking.config import EngineConfig
from bot.booking.credentials import (
    KEY_PREFIX,
    SERVICE_SCOPES,
    Caller,
    Scope,
    key_caller,
    same_secret,
)
from bot.booking.errors import BookingError
from bot.booking.schemas import ErrorOut

API_PREFIX = "/api"
VERSIONED_PREFIX = "/api/v1"

REFUSAL_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 409, 410, 413, 422, 429)
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


UnitDep = Annotated[Unit, Depends(unit, scope="function")]
CodePath = Annotated[str, Path(max_length=32)]
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _proved_caller(request: Request, authorization: str | None) -> Caller | None:
    """The caller a `Bearer` token proves: the stack's service, the admin token, an API key."""
    scheme, _, given = (authorization or "").partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given or len(given) > 256:
        return None
    settings = request.app.state.settings
    if same_secret(given, settings.service_token):
        return Caller("service", "service", SERVICE_SCOPES)
    if same_secret(given, settings.admin_token):
        # GUICHET_ADMIN_TOKEN stays what it was: an admin-scoped key, configured by environment.
        return Caller("apikey", "admin-token", frozenset({Scope.ADMIN}))
    if given.startswith(KEY_PREFIX):
        with request.app.state.session_factory() as session:
            return key_caller(session, given)
    return None


def refuse_beyond(request: Request, rule: str, *key: str) -> None:
    """Raises the 429 refusal when `key` has used up `rule` (bot/ratelimit.py)."""
    verdict = request.app.state.limiter.hit(rule, *key)
    if not verdict.allowed:
        raise BookingError("rate_limited", seconds=verdict.retry_after)


def identify(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Caller | None:
    """Every API route's first step: who calls (None: nobody proved anything), counted against
    the limit of their credential, or of their IP without one."""
    caller = _proved_caller(request, authorization)
    settings = request.app.state.settings
    if caller is None:
        refuse_beyond(request, settings.rate_per_ip, "ip", _client_ip(request))
    elif caller.kind == "service":
        refuse_beyond(request, settings.rate_per_service, "caller", caller.name)
    else:
        refuse_beyond(request, settings.rate_per_key, "caller", caller.name)
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller | None, Depends(identify)]


def authorised(scope: Scope) -> Callable[..., Caller]:
    """The dependency of a protected route: a proved caller holding `scope`, else 401/403.

    A mediator (kind "mediator", from their page session: bot.pan) holds the bookings scopes
    for the one phone whose owner consented; `for_phone` refuses any other."""

    def need(request: Request, caller: CallerDep) -> Caller:
        if caller is None:
            # No proved caller is a 401 on every route, admin ones too: a 403 « not enabled
            # (GUICHET_ADMIN_TOKEN) » told strangers how the gateway is set up, and admin API
            # keys work without that token (an attacker's test, session 30).
            raise BookingError("unauthorized")
        if not caller.may(scope):
            raise BookingError("forbidden", scope=scope.value)
        return caller

    return need


ReaderDep = Annotated[Caller, Depends(authorised(Scope.BOOKINGS_READ))]
WriterDep = Annotated[Caller, Depends(authorised(Scope.BOOKINGS_WRITE))]
AdminDep = Annotated[Caller, Depends(authorised(Scope.ADMIN))]


def count_new_booking(request: Request, caller: Caller) -> None:
    """A place taken by a key (not the stack's service) counts against its booking limit."""
    if caller.kind != "service":
        rule = request.app.state.settings.rate_new_bookings_per_key
        refuse_beyond(request, rule, "books", caller.name)


def for_phone(request: Request, phone: str) -> str:
    """The phone a trusted caller acts for, normalised, counted against the per-phone limit
    (whoever calls: several keys cannot multiply one person's quota)."""
    normalised = phone_or_refuse(phone)
    caller: Caller | None = getattr(request.state, "caller", None)
    if caller is not None and not caller.may_act_for(normalised):
        raise BookingError("no_consent")
    refuse_beyond(request, request.app.state.settings.rate_per_phone, "phone", normalised)
    return normalised


def consented(request: Request, u: Unit, ref: str | None, phone: str) -> str | None:
    """`mediator_ref` ("pan:<mediator id>") only with that mediator's live consent for `phone`
    (403 `no_consent`), whoever relays it: the action server runs a PAN conversation too."""
    secret = request.app.state.settings.secret_key
    return mediators.check_mediator_ref(u.session, ref, phone, secret, u.now)
