"""Every route working with the per-request unit of work commits in its own thread
(TransactionalRoute), and the deadline-alert endpoints hold a burst on PostgreSQL.

60 simultaneous "stop my alerts" for the same person: each UPDATE waits for the row lock of the
first one. If that first request committed only after its response was validated on the shared
worker pool (a plain APIRouter with the per-request unit of work), the pool would be full of
requests waiting for its lock: a deadlock. TransactionalRoute commits in the endpoint's thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from bot.booking.api.deps import TransactionalRoute, unit
from bot.config import Settings
from bot.gateway.app import create_app
from bot.scheduler.models import DeadlineSubscription
from tests.support.booking import SERVICE, SERVICE_TOKEN
from tests.support.servers import free_port, serve_in_thread
from tests.support.world import RESIDENT

CLIENTS = 60
PHONE = "+33612345678"


def _uses_unit(dependant: Dependant) -> bool:
    return any(d.call is unit or _uses_unit(d) for d in dependant.dependencies)


def _served(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route, through included routers (FastAPI >= 0.16x keeps
    them as `_IncludedRouter` wrappers that serve the original route's endpoint)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif (inner := getattr(route, "original_router", None)) is not None:
            yield from _served(inner.routes, prefix + route.include_context.prefix)


def test_every_route_with_a_unit_of_work_is_transactional(sqlite_factory, clock):
    app = create_app(
        Settings(database_url="sqlite://", secret_key="test-key"), sqlite_factory, clock=clock
    )
    with_unit = [(path, r) for path, r in _served(app.routes) if _uses_unit(r.dependant)]
    paths = {path for path, _route in with_unit}
    assert {"/api/deadline-alerts", "/api/deadline-alerts/cancel", "/api/v1/bookings"} <= paths
    # What is served is the route's endpoint: it must be the committing wrapper.
    plain = sorted(
        f"{sorted(r.methods)} {path}"
        for path, r in with_unit
        if not (isinstance(r, TransactionalRoute) and getattr(r.endpoint, "_transactional", False))
    )
    assert plain == []


@pytest.mark.postgres
def test_a_burst_of_stops_for_one_person_completes_without_deadlock(postgres_factory, clock):
    with postgres_factory.begin() as session:
        session.add(
            DeadlineSubscription(
                phone=PHONE, demarche_code=RESIDENT, expiry=date(2026, 6, 30), consented_at=clock()
            )
        )
    # A race, not a flood: the per-phone rate limit stays out of it.
    settings = Settings(
        database_url="sqlite://",
        secret_key="test-key",
        service_token=SERVICE_TOKEN,
        rate_per_phone="",
    )
    app = create_app(settings, postgres_factory, clock=clock)
    barrier = threading.Barrier(CLIENTS)
    with serve_in_thread(app, free_port(), lifespan="off") as base:

        def stop(_index: int) -> int | str:
            barrier.wait(timeout=30)
            try:
                answer = httpx.post(
                    f"{base}/api/deadline-alerts/cancel",
                    timeout=20,
                    json={"phone": PHONE, "demarche": RESIDENT},
                    headers=SERVICE,
                )
            except httpx.HTTPError as exc:
                return type(exc).__name__
            return answer.json()["cancelled"] if answer.status_code == 200 else answer.status_code

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            outcomes = list(pool.map(stop, range(CLIENTS)))
    assert sorted(outcomes, key=str) == [0] * (CLIENTS - 1) + [1]
    with postgres_factory() as session:
        assert session.get(DeadlineSubscription, 1).cancelled_at is not None
