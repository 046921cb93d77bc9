"""The gateway a fuzzer runs against: the small world, published, every route mounted, no
rate limit (the fuzz must reach the routes), Rasa nowhere (no signed webhook gets that far)."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.booking import bookings, credentials
from bot.booking.models import Slot
from bot.config import Settings
from bot.db import utcnow
from bot.gateway.app import create_app
from tests.support import world
from tests.support.booking import SERVICE, SERVICE_TOKEN
from tests.support.fuzz import Fuzzer


@contextlib.contextmanager
def fuzzing(
    factory: sessionmaker[Session], clock: Callable[[], datetime], seed: int
) -> Iterator[tuple[TestClient, Fuzzer]]:
    with factory.begin() as session:
        world.build_and_publish(session, now=clock())
        slot_ids = list(session.scalars(select(Slot.id).order_by(Slot.id).limit(40)))
        codes = [
            bookings.book(
                session,
                world.CONFIG,
                bookings.BookRequest(slot_id=slot_id, phone=phone),
                now=clock(),
            ).code
            for slot_id, phone in zip(slot_ids[:2], (world.PHONE_A, world.PHONE_B), strict=True)
        ]
        _key, admin_token = credentials.create_key(session, "fuzz", ["admin"], now=utcnow())
    settings = Settings(
        database_url="sqlite://",
        secret_key="fuzz-key",
        service_token=SERVICE_TOKEN,
        rasa_url="http://127.0.0.1:9",
        rate_per_ip="",
        rate_per_key="",
        rate_new_bookings_per_key="",
        rate_per_service="",
        rate_per_phone="",
    )
    app = create_app(settings, factory, clock=clock)
    # Rasa and the action server are away on purpose: /health's 503 for them is its meaning.
    app.state.health_checks = {"database": app.state.health_checks["database"]}
    hints = {
        "demarche": [world.RESIDENT, "duplicata", "naturalisation"],
        "site": ["pref-24", "pref-33"],
        "slot_id": slot_ids,
        "new_slot_id": slot_ids,
        "code": codes + [c.lower() for c in codes],
        "offer_id": [1, 2],
        "entry_id": [1, 2],
        "q": ["24", "Périgueux", "Bordeaux", "75001"],
        "day": ["2026-01-13", "2026-01-14"],
    }
    credentials_by_kind = {"service": SERVICE, "admin": {"Authorization": f"Bearer {admin_token}"}}
    with TestClient(app, raise_server_exceptions=False) as client:
        spec = client.get("/openapi.json").json()
        yield client, Fuzzer(spec, random.Random(seed), hints, credentials_by_kind)
