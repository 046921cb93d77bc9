"""A convocation the counter can verify (bot/booking/convocation.py): the code or the signed QR
payload, through the engine, the public API and `guichet verify`; an altered or forged payload
and a convocation printed before a move are refused, and the phone never shows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import signing
from bot.booking import bookings, convocation, demo
from bot.booking.bookings import BookRequest
from bot.booking.errors import BookingError
from bot.booking.models import Slot
from bot.cli import main
from bot.config import Settings
from bot.db import make_engine, make_session_factory
from bot.gateway.app import create_app
from bot.ratelimit import RateLimiter
from tests.support import world
from tests.support.qr import pdf_text, qr_payloads

KEY = signing.private_key("test-signing-key")  # tests/conftest.py: GUICHET_SIGNING_KEY
PUBLIC = KEY.public_key()


@pytest.fixture
def booked(sqlite_factory: sessionmaker[Session], clock) -> tuple[str, str]:
    """A booking in the small world: its code and its signed payload."""
    with sqlite_factory.begin() as session:
        booking = world.booked_world(session, now=clock(), language="ar")
        return booking.code, convocation.payload_of(booking, KEY)


def _tampered(payload: str) -> list[str]:
    """The payload with one field changed at a time, and with its signature altered."""
    fields = payload.split(".")
    variants = []
    # Two values per field, the second for a booking that holds the first (the CLI's booking
    # is made on the real clock: its site or time is whatever is free then).
    replacements = {
        1: ("ABCDEFGJ", "ABCDEFGK"),
        2: ("202601131340", "202601131341"),
        3: ("pref-38", "pref-69"),
        4: ("x", "y"),
    }
    for index, values in replacements.items():
        changed = list(fields)
        changed[index] = next(v for v in values if v != fields[index])
        variants.append(".".join(changed))
    sig = fields[5]
    flipped = ("B" if sig[10] == "A" else "A").join((sig[:10], sig[11:]))
    variants.append(".".join([*fields[:5], flipped]))
    return variants


def test_the_code_and_the_payload_are_both_valid(sqlite_factory, clock, booked) -> None:
    code, payload = booked
    with sqlite_factory() as session:
        by_code = convocation.verify_presented(session, code, PUBLIC, now=clock())
        by_payload = convocation.verify_presented(session, f"  {payload}\n", PUBLIC, now=clock())
        assert by_code.valid and not by_code.signed
        assert by_payload.valid and by_payload.signed and by_payload.code == code
        assert by_payload.booking is not None and by_payload.booking.code == code


def test_a_tampered_or_forged_payload_is_refused(sqlite_factory, clock, booked) -> None:
    code, payload = booked
    forged = convocation.payload_of  # the same facts, signed by someone else
    with sqlite_factory() as session:
        booking = bookings.find_by_code(session, code)
        candidates = [*_tampered(payload), forged(booking, Ed25519PrivateKey.generate())]
        for presented in candidates:
            result = convocation.verify_presented(session, presented, PUBLIC, now=clock())
            assert not result.valid and result.reason == "invalid_signature", presented
            assert result.booking is None and not result.signed


def test_a_convocation_printed_before_a_move_is_refused(sqlite_factory, clock, booked) -> None:
    code, payload = booked
    with sqlite_factory.begin() as session:
        other = world.slots(session)[3]
        bookings.reschedule(session, world.CONFIG, code, other.id, phone=world.PHONE_A, now=clock())
        new_payload = convocation.payload_of(bookings.find_by_code(session, code), KEY)
    with sqlite_factory() as session:
        old = convocation.verify_presented(session, payload, PUBLIC, now=clock())
        assert not old.valid and old.signed and old.reason == "convocation_changed"
        assert old.booking is not None and old.booking.slot_id == other.id  # the current slot
        assert convocation.verify_presented(session, new_payload, PUBLIC, now=clock()).valid


def test_a_cancelled_booking_refuses_its_payload(sqlite_factory, clock, booked) -> None:
    code, payload = booked
    with sqlite_factory.begin() as session:
        bookings.cancel(session, world.CONFIG, code, phone=world.PHONE_A, now=clock())
    with sqlite_factory() as session:
        result = convocation.verify_presented(session, payload, PUBLIC, now=clock())
        assert not result.valid and result.signed and result.reason == "cancelled"
        with pytest.raises(BookingError, match="booking_not_active"):
            convocation.convocation_pdf_for(session, code, KEY)


def test_the_pdf_of_a_booking_is_in_its_language_with_a_payload_that_verifies(
    sqlite_factory, clock, booked
) -> None:
    code, payload = booked
    with sqlite_factory() as session:
        document = convocation.convocation_pdf_for(session, code, KEY)
        assert qr_payloads(document) == [payload]
        text = pdf_text(document)
        assert "استدعاء" in text and "Convocation à la préfecture" in text  # Arabic + French
        assert "+336" not in text and "12345678" not in text
        assert convocation.verify_presented(session, payload, PUBLIC, now=clock()).valid
        french_only = pdf_text(convocation.convocation_pdf_for(session, code, KEY, lang="fr"))
        assert "استدعاء" not in french_only


# -- the public API -------------------------------------------------------------------------


@pytest.fixture
def api(sqlite_factory, clock):
    settings = Settings(database_url="sqlite://", secret_key="test-key", signing_key="api-key")
    app = create_app(settings, sqlite_factory, clock=clock)
    app.state.limiter = RateLimiter()
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_the_public_verify_route_takes_the_payload(api, sqlite_factory, clock) -> None:
    with sqlite_factory.begin() as session:
        booking = world.booked_world(session, now=clock())
        code = booking.code
        payload = convocation.payload_of(booking, signing.private_key("api-key"))
    answer = api.get(f"/api/v1/bookings/{payload}/verify")
    assert answer.status_code == 200
    body = answer.json()
    assert body["valid"] and body["signed"] and body["code"] == code
    assert body["site"]["code"] == "pref-24" and "phone" not in answer.text
    by_code = api.get(f"/api/v1/bookings/{code}/verify").json()
    assert by_code["valid"] and not by_code["signed"]
    for presented in _tampered(payload):
        refused = api.get(f"/api/v1/bookings/{presented}/verify")
        assert refused.status_code == 200
        assert refused.json()["valid"] is False
        assert refused.json()["reason"] == "invalid_signature"
    # Signed by the test key, not this gateway's: forged as far as this préfecture knows.
    foreign = convocation.payload_of(booking, KEY)
    assert api.get(f"/api/v1/bookings/{foreign}/verify").json()["reason"] == "invalid_signature"
    too_long = api.get(f"/api/v1/bookings/{'G1.' + 'A' * 500}/verify")
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "invalid_request"


# -- guichet verify ---------------------------------------------------------------------------


@pytest.fixture
def seeded_booking(tmp_path, monkeypatch) -> tuple[str, str]:
    """A booking in a seeded database the CLI reads (real clock: the CLI uses it)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'seeded.db'}")
    now = datetime.now(UTC)
    demo.seed(engine, world.CONFIG, now=now)
    monkeypatch.setenv("GUICHET_DATABASE_URL", str(engine.url))
    with make_session_factory(engine).begin() as session:
        slot = session.scalars(
            # Bookable whatever the hour the suite runs: far enough ahead (min_lead), and with
            # a numéro étranger for the démarches that need one.
            select(Slot)
            .where(Slot.starts_at > now + world.CONFIG.min_lead)
            .order_by(Slot.starts_at)
        ).first()
        assert slot is not None
        request = BookRequest(slot_id=slot.id, phone=world.PHONE_A, numero_etranger=world.NUMERO)
        booking = bookings.book(session, world.CONFIG, request, now=now)
        result = booking.code, convocation.payload_of(booking, KEY)
    engine.dispose()
    return result


def test_guichet_verify_takes_the_code_or_the_payload(seeded_booking, capsys) -> None:
    code, payload = seeded_booking
    assert main(["verify", payload]) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALIDE") and "Signature de la préfecture vérifiée." in out
    assert "+336" not in out and "12345678" not in out
    assert main(["verify", code]) == 0
    assert "Signature" not in capsys.readouterr().out
    for presented in _tampered(payload):
        assert main(["verify", presented]) == 1
        out = capsys.readouterr().out
        assert out.startswith("INVALIDE") and "modifié" in out
    assert main(["verify", "--json", _tampered(payload)[0]]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["valid"] is False and answer["reason"] == "invalid_signature"


def test_the_public_key_verifies_offline_without_the_database(
    seeded_booking, capsys, tmp_path, monkeypatch
) -> None:
    code, payload = seeded_booking
    assert main(["verify", "--public-key"]) == 0
    public = capsys.readouterr().out.strip()
    assert public == signing.public_key_text(KEY)
    assert main(["verify", "--public-key", "--pem"]) == 0
    pem_file = tmp_path / "prefecture.pem"
    pem_file.write_text(capsys.readouterr().out)
    # No database at all: the counter holds the public key and the paper only.
    monkeypatch.setenv("GUICHET_DATABASE_URL", f"sqlite:///{tmp_path / 'absent' / 'x.db'}")
    for key in (public, str(pem_file)):
        assert main(["verify", "--offline", "--key", key, payload]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"VALIDE : {code[:4]}-{code[4:]}")
        for presented in _tampered(payload):
            assert main(["verify", "--offline", "--key", key, presented]) == 1
            assert capsys.readouterr().out.startswith("INVALIDE")
    other = signing.public_key_text(Ed25519PrivateKey.generate())
    assert main(["verify", "--offline", "--key", other, payload]) == 1
    assert main(["verify", "--offline", payload]) == 2
    assert main(["verify", "--offline", "--key", "ed25519:short", payload]) == 2
    assert main(["verify", "--key", str(tmp_path / "missing.pem"), payload]) == 2
