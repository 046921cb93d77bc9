"""The HTTP contract: every endpoint, the error envelope, bad input never a 500, admin token."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from bot.booking import bookings
from bot.booking.bookings import BookRequest
from bot.config import Settings
from bot.gateway.app import create_app
from bot.ratelimit import RateLimiter
from tests.support import world
from tests.support.booking import ADMIN, ADMIN_TOKEN, SERVICE, gateway_settings
from tests.support.world import PHONE_A, PHONE_B, RESIDENT

ANONYMOUS = {"Authorization": ""}


@pytest.fixture(scope="module")
def _client():
    """One app for the module (building it is the slow part); each test plugs in its own
    fresh database and clock through app.state."""
    # The action server's credential on every call; a test says when it calls as someone else.
    app = create_app(gateway_settings(admin_token=ADMIN_TOKEN))
    with TestClient(app, raise_server_exceptions=False, headers=SERVICE) as client:
        yield client


@pytest.fixture
def api(_client, sqlite_factory, clock):
    with sqlite_factory.begin() as session:
        world.build_and_publish(session, now=clock())
    _client.app.state.session_factory = sqlite_factory
    _client.app.state.clock = clock
    _client.app.state.limiter = RateLimiter()  # each test starts with fresh rate windows
    _client.factory = sqlite_factory
    return _client


def fill_every_slot(api, clock) -> list[str]:
    """Books every place directly through the engine (faster than HTTP); returns the phones."""
    phones = []
    with api.factory.begin() as session:
        for i, slot in enumerate(world.slots(session)):
            phones.append(f"+3361000{i:04d}")
            bookings.book(
                session, world.CONFIG, BookRequest(slot_id=slot.id, phone=phones[-1]), now=clock()
            )
    return phones


def first_slots(api, n=2, phone=None):
    body = {"demarche": RESIDENT, "site": "pref-24", "limit": n}
    if phone:
        body["phone"] = phone
    response = api.post("/api/v1/slots/search", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def refusal(response, status, code):
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


def test_health(api):
    # Other areas add their own checks (Rasa…) that are down in this test: only ours matters.
    assert api.get("/health").json()["checks"]["database"] == {"ok": True, "detail": "ok"}


def test_catalogue_endpoints(api):
    assert [d["code"] for d in api.get("/api/v1/demarches").json()] == [
        "carte_resident_renouvellement",
        "duplicata_titre",
    ]
    assert [s["code"] for s in api.get(f"/api/v1/demarches/{RESIDENT}/sites").json()] == [
        "pref-24",
        "pref-38",
    ]
    for query, expected in (
        ("24", "pref-24"),
        ("38000", "pref-38"),
        ("isere", "pref-38"),
        ("Périgueux", "pref-24"),
        ("38100", "pref-38"),
    ):
        assert [
            s["code"] for s in api.get("/api/v1/sites/resolve", params={"q": query}).json()
        ] == [expected]
    refusal(api.get("/api/v1/sites/resolve", params={"q": "Lyon"}), 404, "site_not_found")
    refusal(api.get("/api/v1/demarches/nope/sites"), 404, "unknown_demarche")


def test_search_book_verify_cancel_over_http(api):
    found = first_slots(api, phone="06 12 34 56 78")
    assert found["slots_found"] == 54 and found["check_id"] >= 1
    slot = found["slots"][0]
    assert slot["local_start"].startswith("2026-01-13T14:00:00+01:00")
    created = api.post("/api/v1/bookings", json={"slot_id": slot["id"], "phone": "06 12 34 56 78"})
    assert created.status_code == 201
    booking = created.json()
    assert booking["phone_masked"] == "+336******78" and "12345678" not in created.text
    mine = api.post("/api/v1/bookings/mine", json={"phone": PHONE_A}).json()
    assert [b["code"] for b in mine] == [booking["code"]]
    verified = api.get(f"/api/v1/bookings/{booking['display_code']}/verify").json()
    assert (
        verified["valid"]
        and verified["site"]["code"] == "pref-24"
        and verified["slot"]["id"] == slot["id"]
    )
    assert "phone" not in str(verified).replace("phone_masked", "")
    refusal(
        api.post(f"/api/v1/bookings/{booking['code']}/cancel", json={"phone": PHONE_B}),
        403,
        "not_your_booking",
    )
    cancelled = api.post(f"/api/v1/bookings/{booking['code']}/cancel", json={"phone": PHONE_A})
    assert cancelled.json()["status"] == "cancelled"
    assert api.get(f"/api/v1/bookings/{booking['code']}/verify").json() == {
        **verified,
        "valid": False,
        "reason": "cancelled",
        "status": "cancelled",
        "slot": {**verified["slot"], "places_left": 1},
    }


def test_unversioned_alias_serves_the_same_api(api):
    assert api.get("/api/demarches").json() == api.get("/api/v1/demarches").json()
    assert "/api/demarches" not in api.get("/openapi.json").json()["paths"]
    assert "/api/v1/bookings" in api.get("/openapi.json").json()["paths"]


def test_book_refusals_over_http(api):
    slots = first_slots(api)["slots"]
    api.post("/api/v1/bookings", json={"slot_id": slots[0]["id"], "phone": PHONE_A})
    refusal(
        api.post("/api/v1/bookings", json={"slot_id": slots[0]["id"], "phone": PHONE_B}),
        409,
        "slot_full",
    )
    refusal(
        api.post("/api/v1/bookings", json={"slot_id": slots[1]["id"], "phone": PHONE_A}),
        409,
        "already_booked",
    )
    refusal(
        api.post("/api/v1/bookings", json={"slot_id": 123456, "phone": PHONE_B}),
        404,
        "slot_not_found",
    )
    refusal(
        api.post("/api/v1/bookings", json={"slot_id": slots[1]["id"], "phone": "0000"}),
        422,
        "invalid_phone",
    )


def test_idempotency_key_header(api):
    slot_id = first_slots(api)["slots"][0]["id"]
    headers = {"Idempotency-Key": "abc-123"}
    one = api.post("/api/v1/bookings", json={"slot_id": slot_id, "phone": PHONE_A}, headers=headers)
    two = api.post("/api/v1/bookings", json={"slot_id": slot_id, "phone": PHONE_A}, headers=headers)
    assert one.status_code == two.status_code == 201 and one.json()["code"] == two.json()["code"]


def test_reschedule_over_http(api):
    slots = first_slots(api, 3)["slots"]
    booking = api.post(
        "/api/v1/bookings", json={"slot_id": slots[0]["id"], "phone": PHONE_A}
    ).json()
    moved = api.post(
        f"/api/v1/bookings/{booking['code']}/reschedule",
        json={"phone": PHONE_A, "new_slot_id": slots[2]["id"]},
    )
    assert moved.status_code == 200 and moved.json()["slot"]["id"] == slots[2]["id"]
    assert moved.json()["reschedule_count"] == 1


def test_waitlist_and_offers_over_http(api, clock):
    phones = fill_every_slot(api, clock)  # the waitlist is the only way in
    joined = api.post(
        "/api/v1/waitlist",
        json={
            "phone": PHONE_A,
            "demarche": RESIDENT,
            "site": "pref-24",
            "rights_end": "2026-02-15",
        },
    )
    assert joined.status_code == 201 and joined.json()["offer"] is None
    assert joined.json()["entry"]["position"] == 1
    refusal(
        api.post(
            "/api/v1/waitlist", json={"phone": PHONE_A, "demarche": RESIDENT, "site": "pref-24"}
        ),
        409,
        "already_waiting",
    )
    code = api.post("/api/v1/bookings/mine", json={"phone": phones[3]}).json()[0]["code"]
    api.post(f"/api/v1/bookings/{code}/cancel", json={"phone": phones[3]})
    [offer] = api.post("/api/v1/offers/mine", json={"phone": PHONE_A}).json()
    cancelled_slot = api.get(f"/api/v1/bookings/{code}/verify").json()["slot"]["id"]
    assert offer["slot"]["id"] == cancelled_slot
    refusal(
        api.post(f"/api/v1/offers/{offer['id']}/accept", json={"phone": PHONE_B}),
        404,
        "offer_not_found",
    )
    accepted = api.post(f"/api/v1/offers/{offer['id']}/accept", json={"phone": PHONE_A})
    assert accepted.status_code == 201 and accepted.json()["slot"]["id"] == cancelled_slot
    assert api.post("/api/v1/waitlist/mine", json={"phone": PHONE_A}).json() == []


def test_offer_decline_leave_and_expire_over_http(api, clock):
    fill_every_slot(api, clock)
    entry = api.post(
        "/api/v1/waitlist", json={"phone": PHONE_A, "demarche": RESIDENT, "site": "pref-24"}
    ).json()
    api.post("/api/v1/waitlist", json={"phone": PHONE_B, "demarche": RESIDENT, "site": "pref-24"})
    code = api.post("/api/v1/bookings/mine", json={"phone": "+33610000000"}).json()[0]["code"]
    api.post(f"/api/v1/bookings/{code}/cancel", json={"phone": "+33610000000"})
    [offer] = api.post("/api/v1/offers/mine", json={"phone": PHONE_A}).json()
    declined = api.post(f"/api/v1/offers/{offer['id']}/decline", json={"phone": PHONE_A})
    assert declined.json()["status"] == "declined"
    [offer_b] = api.post("/api/v1/offers/mine", json={"phone": PHONE_B}).json()
    assert offer_b["slot"]["id"] == offer["slot"]["id"]
    clock.advance(hours=13)
    assert api.post("/api/v1/admin/offers/expire", headers=ADMIN).json() == {"expired": 1}
    left = api.post(f"/api/v1/waitlist/{entry['entry']['id']}/leave", json={"phone": PHONE_A})
    assert left.json()["status"] == "left"


def test_proof_journal_over_http(api, clock):
    first_slots(api, phone=PHONE_A)
    clock.advance(hours=1)
    api.post(
        "/api/v1/slots/search",
        json={"demarche": RESIDENT, "site": "pref-24", "phone": PHONE_A, "part_of_day": "morning"},
    )
    journal = api.post("/api/v1/proof", json={"phone": PHONE_A}).json()
    assert [(c["slots_found"], c["checked_at"][:16]) for c in journal] == [
        (54, "2026-01-12T08:00"),
        (0, "2026-01-12T09:00"),
    ]


def test_admin_endpoints_need_the_bearer_token(api, clock):
    refusal(api.post("/api/v1/admin/publish", json={}, headers=ANONYMOUS), 401, "unauthorized")
    refusal(
        api.post("/api/v1/admin/publish", json={}, headers={"Authorization": "Bearer wrong"}),
        401,
        "unauthorized",
    )
    again = api.post("/api/v1/admin/publish", json={}, headers=ADMIN).json()
    assert again["created"] == 0 and again["already_published"] > 0
    clock.advance(days=7)  # the horizon moves by one Monday (3 duplicata slots) and one Tuesday (6)
    assert api.post("/api/v1/admin/publish", json={}, headers=ADMIN).json()["created"] == 9
    stats = api.get("/api/v1/admin/stats", headers=ADMIN).json()
    assert stats["bookings_total"] == 0 and stats["places_free"] > 0
    assert (
        api.get(
            "/api/v1/admin/convocations",
            params={"site": "pref-24", "day": "2026-01-13"},
            headers=ADMIN,
        ).json()
        == []
    )


def test_admin_routes_without_a_token_refuse_an_unknown_bearer_as_any_route(sqlite_factory, clock):
    # A 403 « pas activées (GUICHET_ADMIN_TOKEN) » told strangers how the gateway is set up,
    # though admin API keys work without that token (an attacker's test, session 30).
    app = create_app(Settings(database_url="sqlite://"), sqlite_factory, clock=clock)
    with TestClient(app) as client:
        refusal(client.get("/api/v1/admin/stats", headers=ADMIN), 401, "unauthorized")
        refusal(client.get("/api/v1/admin/stats"), 401, "unauthorized")


def test_attendance_over_http(api, clock):
    slot = first_slots(api)["slots"][0]
    booking = api.post("/api/v1/bookings", json={"slot_id": slot["id"], "phone": PHONE_A}).json()
    refusal(
        api.post(
            f"/api/v1/admin/bookings/{booking['code']}/attendance",
            json={"honoured": True},
            headers=ADMIN,
        ),
        409,
        "invalid_attendance",
    )
    clock.advance(days=2)
    marked = api.post(
        f"/api/v1/admin/bookings/{booking['code']}/attendance",
        json={"honoured": False},
        headers=ADMIN,
    )
    assert marked.json()["status"] == "no_show"


BAD_REQUESTS = [
    ("post", "/api/v1/bookings", {"slot_id": "x", "phone": PHONE_A}),
    ("post", "/api/v1/bookings", {"slot_id": 1}),
    ("post", "/api/v1/bookings", {"slot_id": 2**63, "phone": PHONE_A}),
    ("post", "/api/v1/bookings", {"slot_id": -1, "phone": PHONE_A}),
    ("post", "/api/v1/bookings", {"slot_id": 1, "phone": "x" * 10_000}),
    ("post", "/api/v1/bookings", {"slot_id": 1, "phone": PHONE_A, "unexpected": 1}),
    ("post", "/api/v1/bookings", [1, 2, 3]),
    ("post", "/api/v1/slots/search", {"demarche": "d" * 10_000, "site": "pref-24"}),
    (
        "post",
        "/api/v1/slots/search",
        {"demarche": RESIDENT, "site": "pref-24", "date_from": "yesterday"},
    ),
    (
        "post",
        "/api/v1/slots/search",
        {"demarche": RESIDENT, "site": "pref-24", "part_of_day": "night"},
    ),
    ("post", "/api/v1/slots/search", {"demarche": RESIDENT, "site": "pref-24", "limit": 10_000}),
    (
        "post",
        "/api/v1/waitlist",
        {"phone": PHONE_A, "demarche": RESIDENT, "site": "pref-24", "rights_end": 5},
    ),
    ("get", "/api/v1/sites/resolve?q=" + "a" * 10_000, None),
    ("get", "/api/v1/bookings/" + "A" * 5_000 + "/verify", None),
    ("post", "/api/v1/offers/99999999999/accept", {"phone": PHONE_A}),
]


@pytest.mark.parametrize(("method", "path", "body"), BAD_REQUESTS, ids=range(len(BAD_REQUESTS)))
def test_bad_input_gets_a_422_envelope(api, method, path, body):
    response = api.request(method, path, json=body)
    refusal(response, 422, "invalid_request")


def test_malformed_json_and_unknown_routes(api):
    response = api.post(
        "/api/v1/bookings", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    refusal(response, 422, "invalid_request")
    refusal(api.get("/api/v1/nothing-here"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"demarche": "unknown", "site": "pref-24"}, "unknown_demarche"),
        (
            {
                "demarche": RESIDENT,
                "site": "pref-24",
                "date_from": "2020-01-01",
                "date_to": "2020-02-01",
            },
            "invalid_dates",
        ),
        ({"demarche": RESIDENT, "site": "pref-24", "phone": "not-a-phone"}, "invalid_phone"),
    ],
)
def test_search_refusals_over_http(api, body, code):
    assert api.post("/api/v1/slots/search", json=body).json()["error"]["code"] == code


def test_error_message_follows_accept_language(api):
    response = api.post(
        "/api/v1/bookings",
        json={"slot_id": 123456, "phone": PHONE_A},
        headers={"Accept-Language": "en-GB"},
    )
    assert response.json()["error"]["code"] == "slot_not_found"
    assert response.json()["error"]["message"]


def test_a_person_is_never_offered_a_slot_starting_too_soon_to_get_there(api, clock):
    """Issue 10: "as soon as possible" offered a slot 11 minutes away. GUICHET_MIN_LEAD_HOURS
    (default 2) applies to every search made through the API."""
    first = first_slots(api, n=1)["slots"][0]
    clock.now = datetime.fromisoformat(first["starts_at"]) - timedelta(minutes=11)
    found = first_slots(api, n=3)["slots"]
    assert found and first["id"] not in {s["id"] for s in found}
    assert all(
        datetime.fromisoformat(s["starts_at"]) - clock.now >= timedelta(hours=2) for s in found
    )


def test_a_day_without_slots_gives_the_nearest_free_ones_before_and_after(api):
    # The démarche opens on Tuesdays only (seed 000): a Wednesday has none, the Tuesdays around
    # it have some.
    body = {
        "demarche": RESIDENT,
        "site": "pref-24",
        "date_from": "2026-01-21",
        "date_to": "2026-01-21",
        "limit": 3,
    }
    found = api.post("/api/v1/slots/search", json=body).json()
    assert found["slots"] == [] and len(found["nearest"]) == 3
    days = [s["starts_at"][:10] for s in found["nearest"]]
    assert days[0] == "2026-01-20" and days[-1] == "2026-01-27"
    assert days == sorted(days)


def test_no_slot_at_that_time_of_day_gives_the_same_days_other_hours(api):
    # Session 25, dev conversation: "le matin" where the démarche opens on Tuesday afternoons
    # found nothing near, and went straight to the waitlist.
    body = {"demarche": RESIDENT, "site": "pref-24", "part_of_day": "morning", "limit": 3}
    found = api.post("/api/v1/slots/search", json=body).json()
    assert found["slots"] == [] and len(found["nearest"]) == 3
    first_day = api.post("/api/v1/slots/search", json={**body, "part_of_day": None}).json()
    assert found["nearest"] == first_day["slots"]
