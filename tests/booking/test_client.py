"""The async BookingClient against a real gateway served by uvicorn (and against dead/slow servers)."""

from __future__ import annotations

import socket
import time

import pytest

from bot.booking.client import BookingClient, BookingRefused, BookingUnavailable
from bot.config import Settings
from bot.gateway.app import create_app
from tests.support import world
from tests.support.booking import SERVICE, SERVICE_TOKEN
from tests.support.servers import free_port, serve_in_thread
from tests.support.world import PHONE_A, PHONE_B, RESIDENT


@pytest.mark.anyio
async def test_client_round_trip(server):
    async with BookingClient(server, token="s3cret") as client:
        assert [s.code for s in await client.resolve_site("Périgueux", RESIDENT)] == ["pref-24"]
        found = await client.search(RESIDENT, "pref-24", phone=PHONE_A, limit=2)
        booking = await client.book(found.slots[0].id, PHONE_A, idempotency_key="k1")
        assert (await client.verify(booking.code)).valid is True
        assert [b.code for b in await client.my_bookings(PHONE_A)] == [booking.code]
        moved = await client.reschedule(booking.code, found.slots[1].id, phone=PHONE_A)
        assert moved.slot.id == found.slots[1].id
        assert (await client.cancel(booking.code, phone=PHONE_A)).status == "cancelled"
        assert len(await client.proof(PHONE_A)) == 1
        assert (await client.stats()).bookings_total == 1


@pytest.mark.anyio
async def test_client_raises_typed_refusals(server):
    async with BookingClient(server, token=SERVICE_TOKEN) as client:
        slot_id = (await client.search(RESIDENT, "pref-24")).slots[0].id
        await client.book(slot_id, PHONE_A)
        with pytest.raises(BookingRefused) as refused:
            await client.book(slot_id, PHONE_B)
        assert refused.value.code == "slot_full" and refused.value.status == 409
        assert "créneau" in refused.value.message
        with pytest.raises(BookingRefused) as refused:
            await client.book(slot_id, "garbage")
        assert refused.value.code == "invalid_phone"


@pytest.mark.anyio
async def test_client_unavailable_when_nobody_listens():
    async with BookingClient(f"http://127.0.0.1:{free_port()}/api", timeout=0.5) as client:
        with pytest.raises(BookingUnavailable):
            await client.demarches()


@pytest.mark.anyio
async def test_client_unavailable_on_timeout():
    """A server that accepts the connection and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    try:
        port = listener.getsockname()[1]
        async with BookingClient(f"http://127.0.0.1:{port}/api", timeout=0.3) as client:
            started = time.monotonic()
            with pytest.raises(BookingUnavailable):
                await client.demarches()
            assert time.monotonic() - started < 3
    finally:
        listener.close()


@pytest.mark.postgres
def test_http_burst_on_postgres_completes_without_deadlock(postgres_factory, clock):
    """60 clients at once on one slot of 10 places, through a real server: every request gets
    an answer (no worker-pool deadlock), exactly 10 bookings, no error."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    with postgres_factory.begin() as session:
        world.build_and_publish(session, guichets=10, now=clock())
    with postgres_factory() as session:
        slot_id = world.slots(session)[0].id
    settings = Settings(
        database_url="sqlite://", secret_key="test-key", service_token=SERVICE_TOKEN
    )
    app = create_app(settings, postgres_factory, clock=clock)
    with serve_in_thread(app, free_port(), lifespan="off") as base:

        def attempt(i: int) -> int:
            try:
                return httpx.post(
                    f"{base}/api/v1/bookings",
                    timeout=30,
                    json={"slot_id": slot_id, "phone": f"+3361500{i:04d}"},
                    headers=SERVICE,
                ).status_code
            except httpx.HTTPError:
                return 0

        with ThreadPoolExecutor(max_workers=60) as pool:
            statuses = list(pool.map(attempt, range(60)))
    assert sorted(set(statuses)) == [201, 409] and statuses.count(201) == 10
