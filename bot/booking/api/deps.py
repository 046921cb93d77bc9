"""What every route of the booking API shares: the prefixes, the refusal envelope, one session
and one transaction per request (`UnitDep`, committed by `TransactionalRoute`), and the admin
token. The scheduler's routes use the same."""

from __future__ import annotations

import functools
import hmac
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, Header, Path, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from bot.booking.config import EngineConfig
from bot.booking.errors import BookingError
from bot.booking.schemas import ErrorOut

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
