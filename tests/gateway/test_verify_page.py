"""The counter's page /verify (bot/gateway/counter.py): a code or a scanned QR payload gives
VALIDE with the slot or INVALIDE with the reason, never the phone; bad input is a 4xx page, and
the page is rate-limited per IP."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from bot import signing
from bot.booking import bookings, convocation
from bot.booking.codes import new_code
from bot.config import Settings
from bot.gateway.app import create_app
from bot.ratelimit import RateLimiter
from tests.support import world

SIGNING = "counter-test-key"
KEY = signing.private_key(SIGNING)


@pytest.fixture
def page(sqlite_factory, clock):
    settings = Settings(
        database_url="sqlite://", secret_key="test-key", signing_key=SIGNING, rate_per_ip="5/minute"
    )
    app = create_app(settings, sqlite_factory, clock=clock)
    app.state.limiter = RateLimiter()
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def booked(sqlite_factory, clock) -> tuple[str, str]:
    with sqlite_factory.begin() as session:
        booking = world.booked_world(session, now=clock())
        return booking.code, convocation.payload_of(booking, KEY)


def _verdict(html: str) -> str:
    found = re.search(r'<h2 class="verdict" id="verdict">(\w+)</h2>', html)
    assert found, html
    return found.group(1)


def _check(page: TestClient, presented: str):
    return page.post("/verify", data={"presented": presented})


def test_the_form_is_labelled_focused_french_and_cached_nowhere(page) -> None:
    answer = page.get("/verify")
    assert answer.status_code == 200
    html = answer.text
    assert '<html lang="fr">' in html
    assert '<label for="presented">' in html and 'id="presented"' in html
    assert "autofocus" in html and "<script" not in html
    assert signing.public_key_text(KEY) in html  # what a counter verifies offline with
    assert answer.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in answer.headers["content-security-policy"]


def test_a_code_and_a_payload_are_valid_with_the_slot_never_the_phone(page, booked) -> None:
    code, payload = booked
    for presented, signed in ((f"{code[:4]}-{code[4:]}".lower(), False), (payload, True)):
        answer = _check(page, presented)
        assert answer.status_code == 200
        html = answer.text
        assert _verdict(html) == "VALIDE"
        # The first Tuesday slot of the small world: 14:00 Paris time.
        assert "mardi 13 janvier 2026" in html and "14 h 00" in html
        assert "Préfecture de la Dordogne" in html and "Renouvellement carte de résident" in html
        assert ("Signature de la préfecture vérifiée." in html) is signed
        assert "12345678" not in html and "+336" not in html


def test_a_tampered_payload_is_invalid_and_shows_no_slot(page, booked) -> None:
    _code, payload = booked
    fields = payload.split(".")
    for index, value in ((2, "202601131340"), (3, "pref-38"), (1, "ABCDEFGJ")):
        changed = list(fields)
        changed[index] = value
        html = _check(page, ".".join(changed)).text
        assert _verdict(html) == "INVALIDE"
        assert "modifié" in html and "janvier" not in html
    forged = signing.sign(signing.read(payload, KEY.public_key()), signing.private_key("x"))
    html = _check(page, forged).text
    assert _verdict(html) == "INVALIDE" and "Dordogne" not in html


def test_a_payload_printed_before_a_move_shows_the_current_slot(
    page, booked, sqlite_factory, clock
) -> None:
    code, payload = booked
    with sqlite_factory.begin() as session:
        later = world.slots(session)[3]
        bookings.reschedule(session, world.CONFIG, code, later.id, phone=world.PHONE_A, now=clock())
    html = _check(page, payload).text
    assert _verdict(html) == "INVALIDE"
    assert "déplacé" in html and "Créneau actuel" in html and "15 h 00" in html


def test_unknown_and_malformed_input_get_a_clear_4xx(page, booked) -> None:
    html = _check(page, "ABCDEFGH").text  # its check character is wrong
    assert _verdict(html) == "INVALIDE" and "vérifiez les 8 caractères" in html
    html = _check(page, new_code()).text
    assert _verdict(html) == "INVALIDE" and "Aucun rendez-vous" in html
    assert _check(page, "   ").status_code == 422
    assert page.post("/verify", json={"presented": "ABCDEFGH"}).status_code == 422
    assert _check(page, "G1." + "A" * 600).status_code == 413
    assert "<script>" not in _check(page, "<script>alert(1)</script>").text


def test_the_page_is_rate_limited_per_ip(page, booked) -> None:
    code, _payload = booked
    statuses = [_check(page, code).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    refused = _check(page, code)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Trop de demandes" in refused.text
