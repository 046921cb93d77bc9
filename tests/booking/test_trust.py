"""Who may call what (issue 13, "Anyone who knows a phone number…"): a phone in a body is never
a credential; the stack's service, a préfecture's scoped API key or the admin token are."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.booking import credentials
from bot.booking.models import AvailabilityCheck, Booking, BookingStatus
from bot.cli import main
from bot.config import Settings
from bot.db import utcnow
from bot.gateway.app import create_app
from tests.support import world
from tests.support.booking import SERVICE, SERVICE_TOKEN
from tests.support.world import PHONE_A, PHONE_B, RESIDENT

VICTIM = PHONE_A


@pytest.fixture
def make_app(sqlite_factory, clock):
    with sqlite_factory.begin() as session:
        world.build_and_publish(session, now=clock())

    def make(**changes: object) -> TestClient:
        settings = Settings(
            database_url="sqlite://", secret_key="test-key", service_token=SERVICE_TOKEN
        )
        settings = Settings(**{**settings.__dict__, **changes})
        return TestClient(create_app(settings, sqlite_factory, clock=clock))

    return make


@pytest.fixture
def anonymous(make_app) -> TestClient:
    return make_app()


def _victim_booking(factory, clock) -> str:
    from bot.booking import bookings

    with factory.begin() as session:
        slot = world.slots(session)[0]
        booking = bookings.book(
            session, world.CONFIG, bookings.BookRequest(slot_id=slot.id, phone=VICTIM), now=clock()
        )
        return booking.code


def _key(factory, *scopes: str) -> dict[str, str]:
    with factory.begin() as session:
        _key_row, token = credentials.create_key(session, "préfecture", list(scopes), now=utcnow())
    return {"Authorization": f"Bearer {token}"}


ACTING_FOR_A_PHONE = [
    ("/bookings/mine", {"phone": VICTIM}),
    ("/bookings", {"slot_id": 1, "phone": VICTIM}),
    ("/bookings/CODE/cancel", {"phone": VICTIM}),
    ("/bookings/CODE/reschedule", {"phone": VICTIM, "new_slot_id": 2}),
    ("/proof", {"phone": VICTIM}),
    ("/slots/search", {"demarche": RESIDENT, "site": "pref-24", "phone": VICTIM}),
    ("/waitlist", {"phone": VICTIM, "demarche": RESIDENT, "site": "pref-24"}),
    ("/waitlist/mine", {"phone": VICTIM}),
    ("/waitlist/1/leave", {"phone": VICTIM}),
    ("/offers/mine", {"phone": VICTIM}),
    ("/offers/1/accept", {"phone": VICTIM}),
    ("/offers/1/decline", {"phone": VICTIM}),
    ("/deadline-alerts", {"phone": VICTIM, "demarche": RESIDENT, "expiry": "2026-06-30"}),
    ("/deadline-alerts/cancel", {"phone": VICTIM, "demarche": RESIDENT}),
]


@pytest.mark.parametrize("prefix", ["/api/v1", "/api"])
@pytest.mark.parametrize(("path", "body"), ACTING_FOR_A_PHONE)
def test_a_phone_in_a_body_is_not_a_credential(
    anonymous, sqlite_factory, clock, prefix, path, body
):
    code = _victim_booking(sqlite_factory, clock)
    response = anonymous.post(prefix + path.replace("CODE", code), json=body)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthorized"
    forged = anonymous.post(
        prefix + path.replace("CODE", code), json=body, headers={"Authorization": "Bearer guess"}
    )
    assert forged.status_code == 401
    with sqlite_factory() as session:
        assert session.scalar(select(Booking).where(Booking.code == code)).status == (
            BookingStatus.BOOKED
        )
        assert session.scalar(select(func.count()).select_from(AvailabilityCheck)) == 0


def test_the_public_reads_answer_without_a_credential_and_never_show_a_phone(
    anonymous, sqlite_factory, clock
):
    code = _victim_booking(sqlite_factory, clock)
    assert anonymous.get("/api/v1/demarches").status_code == 200
    assert anonymous.get(f"/api/v1/demarches/{RESIDENT}/sites").status_code == 200
    assert anonymous.get("/api/v1/sites/resolve", params={"q": "24"}).status_code == 200
    verified = anonymous.get(f"/api/v1/bookings/{code}/verify")
    assert verified.status_code == 200 and verified.json()["valid"] is True
    assert VICTIM[-6:] not in verified.text
    # Searching free slots is public; only a search journaled for a phone needs a caller.
    searched = anonymous.post(
        "/api/v1/slots/search", json={"demarche": RESIDENT, "site": "pref-24"}
    )
    assert searched.status_code == 200 and searched.json()["slots"]


def test_searching_with_a_victims_phone_writes_nothing_to_their_proof(anonymous, sqlite_factory):
    body = {"demarche": RESIDENT, "site": "pref-24", "phone": VICTIM}
    assert anonymous.post("/api/v1/slots/search", json=body).status_code == 401
    with sqlite_factory() as session:
        assert session.scalar(select(func.count()).select_from(AvailabilityCheck)) == 0
    # The action server may: it acts for the phone the channel proved.
    assert anonymous.post("/api/v1/slots/search", json=body, headers=SERVICE).status_code == 200
    with sqlite_factory() as session:
        assert session.scalar(select(func.count()).select_from(AvailabilityCheck)) == 1


def test_the_service_acts_for_a_phone(anonymous, sqlite_factory, clock):
    code = _victim_booking(sqlite_factory, clock)
    mine = anonymous.post("/api/v1/bookings/mine", json={"phone": VICTIM}, headers=SERVICE)
    assert [b["code"] for b in mine.json()] == [code]


def test_api_keys_have_scopes_and_can_be_revoked(anonymous, sqlite_factory, clock):
    code = _victim_booking(sqlite_factory, clock)
    reader = _key(sqlite_factory, "bookings:read")
    assert anonymous.post("/api/v1/bookings/mine", json={"phone": VICTIM}, headers=reader).json()
    refused = anonymous.post(
        f"/api/v1/bookings/{code}/cancel", json={"phone": VICTIM}, headers=reader
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert anonymous.get("/api/v1/admin/stats", headers=reader).status_code == 403
    admin = _key(sqlite_factory, "admin")
    assert anonymous.get("/api/v1/admin/stats", headers=admin).status_code == 200
    with sqlite_factory.begin() as session:
        [first, _second] = credentials.list_keys(session)
        assert credentials.revoke_key(session, first.id, now=utcnow())
    assert (
        anonymous.post("/api/v1/bookings/mine", json={"phone": VICTIM}, headers=reader).status_code
        == 401
    )


def test_guichet_apikeys_shows_the_token_once_and_stores_only_its_hash(
    sqlite_engine, monkeypatch, capsys
):
    monkeypatch.setenv("GUICHET_DATABASE_URL", str(sqlite_engine.url))
    assert main(["apikeys", "create", "--name", "SI pref-24", "--scope", "bookings:read"]) == 0
    out = capsys.readouterr().out
    token = next(word for word in out.split() if word.startswith("gk_"))
    assert main(["apikeys", "list"]) == 0
    listed = capsys.readouterr().out
    assert "SI pref-24" in listed and "bookings:read" in listed and token not in listed
    with sqlite_engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT token_hash FROM api_key").scalar_one()
    assert stored == credentials.token_hash(token) and token not in stored
    assert main(["apikeys", "revoke", "1"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["apikeys", "create", "--name", "x", "--scope", "root"]) != 0


def test_five_bookings_in_milliseconds_by_one_key_are_rate_limited(anonymous, sqlite_factory):
    writer = _key(sqlite_factory, "bookings:write")
    slots = anonymous.post(
        "/api/v1/slots/search", json={"demarche": RESIDENT, "site": "pref-24", "limit": 5}
    ).json()["slots"]
    statuses = [
        anonymous.post(
            "/api/v1/bookings",
            json={"slot_id": slot["id"], "phone": f"+3361200000{i}"},
            headers={**writer, "Accept-Language": "en"},
        )
        for i, slot in enumerate(slots)
    ]
    assert [r.status_code for r in statuses].count(201) <= 2
    limited = [r for r in statuses if r.status_code == 429]
    assert limited and int(limited[0].headers["Retry-After"]) >= 1
    assert limited[0].json()["error"]["code"] == "rate_limited"
    assert "Too many" in limited[0].json()["error"]["message"]


def test_strangers_are_limited_per_ip(make_app):
    client = make_app(rate_per_ip="3/minute")
    codes = [client.get("/api/v1/demarches").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_calls_for_one_phone_are_limited_whoever_makes_them(make_app):
    client = make_app(rate_per_phone="2/minute")
    codes = [
        client.post("/api/v1/proof", json={"phone": phone}, headers=SERVICE).status_code
        # The same person written two ways is one phone.
        for phone in (PHONE_A, "06 12 34 56 78", PHONE_A, PHONE_B)
    ]
    assert codes == [200, 200, 429, 200]


def test_the_admin_token_is_an_admin_scoped_key(make_app):
    client = make_app(admin_token="s3cret")
    admin = {"Authorization": "Bearer s3cret"}
    assert client.get("/api/v1/admin/stats", headers=admin).status_code == 200
    assert client.get("/api/v1/admin/stats", headers=SERVICE).status_code == 403
