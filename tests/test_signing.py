"""The signed payload of a convocation's QR code (bot/signing.py): what it vouches for reads back,
and any change — a field, the version, the signature, the key — is refused."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot import config, signing
from bot.config import Settings
from bot.secrets import MissingSecret

FACTS = signing.ConvocationFacts(
    code="ABCDEFGH",
    starts_at=datetime(2026, 1, 13, 13, 20, tzinfo=UTC),
    site="pref-24",
    demarche="carte_resident_renouvellement",
)
KEY = signing.private_key("the-prefecture-secret")


def test_a_payload_reads_back_what_was_signed_and_stays_small() -> None:
    payload = signing.sign(FACTS, KEY)
    assert payload.startswith("G1.ABCDEFGH.202601131320.pref-24.carte_resident_renouvellement.")
    assert signing.read(payload, KEY.public_key()) == FACTS
    # The longest démarche code of the catalogue keeps it within a version-8 QR code (M).
    assert len(payload) <= 154
    assert signing.looks_like_payload(payload) and not signing.looks_like_payload("ABCD-EFGH")


def test_a_naive_start_is_utc_and_seconds_are_not_signed() -> None:
    naive = signing.ConvocationFacts(
        FACTS.code, datetime(2026, 1, 13, 13, 20), FACTS.site, FACTS.demarche
    )
    assert signing.sign(naive, KEY) == signing.sign(FACTS, KEY)


def _fields(payload: str) -> list[str]:
    return payload.split(".")


@pytest.mark.parametrize(
    ("index", "value"),
    [
        (0, "G2"),  # another version
        (1, "ABCDEFGJ"),  # another code
        (2, "202601131340"),  # another start
        (2, "202601141320"),  # another day
        (3, "pref-38"),  # another site
        (4, "duplicata_titre"),  # another démarche
    ],
)
def test_changing_any_field_is_refused(index: int, value: str) -> None:
    fields = _fields(signing.sign(FACTS, KEY))
    assert fields[index] != value
    fields[index] = value
    with pytest.raises(signing.InvalidPayload) as refused:
        signing.read(".".join(fields), KEY.public_key())
    assert refused.value.reason in {"forged", "unknown_version"}


def test_a_flipped_signature_bit_is_refused() -> None:
    fields = _fields(signing.sign(FACTS, KEY))
    raw = bytearray(signing._unb64(fields[5]))
    for position in (0, 31, 63):
        flipped = bytearray(raw)
        flipped[position] ^= 0x01
        fields[5] = signing._b64(bytes(flipped))
        with pytest.raises(signing.InvalidPayload, match="forged"):
            signing.read(".".join(fields), KEY.public_key())


def test_another_key_is_refused() -> None:
    forger = Ed25519PrivateKey.generate()
    with pytest.raises(signing.InvalidPayload, match="forged"):
        signing.read(signing.sign(FACTS, forger), KEY.public_key())


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "ABCD-EFGH",
        "G1.ABCDEFGH.202601131320.pref-24.carte_resident_renouvellement",  # no signature
        "G1.ABCDEFGH.202613131320.pref-24.x." + "A" * 86,  # month 13
        "G1.ABCDEFGH.202601131320.pref 24.x." + "A" * 86,
        "G1.abcdefgh.202601131320.pref-24.x." + "A" * 86,
        "G1.ABCDEFGH.202601131320.pref-24.x." + "A" * 85,
        "G1.ABCDEFGH.202601131320.pref-24.x." + "A" * 86 + ".extra",
    ],
)
def test_malformed_payloads_are_refused(payload: str) -> None:
    with pytest.raises(signing.InvalidPayload, match="malformed"):
        signing.read(payload, KEY.public_key())


def test_a_field_with_a_dot_cannot_be_signed() -> None:
    with pytest.raises(ValueError, match="letters, digits"):
        signing.sign(
            signing.ConvocationFacts("ABCDEFGH", FACTS.starts_at, "pref.24", FACTS.demarche), KEY
        )


def test_the_public_key_round_trips_as_text_and_pem() -> None:
    payload = signing.sign(FACTS, KEY)
    text = signing.public_key_text(KEY)
    assert text.startswith("ed25519:") and len(text) == len("ed25519:") + 43
    for written in (text, signing.public_key_pem(KEY)):
        assert signing.read(payload, signing.load_public_key(written)) == FACTS
    for wrong in ("", "ed25519:AAAA", "rsa:abc", "ed25519:" + "!" * 43):
        with pytest.raises(ValueError):
            signing.load_public_key(wrong)


@pytest.fixture
def no_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(signing.SIGNING_KEY_ENV, raising=False)
    monkeypatch.delenv("GUICHET_ENV", raising=False)
    monkeypatch.setattr(config, "VAR", tmp_path / "var")
    return tmp_path / "var" / signing.SIGNING_KEY_FILE


def test_the_key_is_created_once_private_and_reused(no_key: Path) -> None:
    settings = Settings(secret_key="k")
    assert not no_key.exists()
    first = settings.convocation_key()
    assert stat.S_IMODE(no_key.stat().st_mode) == 0o600
    assert signing.public_key_text(settings.convocation_key()) == signing.public_key_text(first)


def test_the_environment_key_wins_and_production_demands_one(
    no_key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUICHET_ENV", "production")
    with pytest.raises(MissingSecret, match="GUICHET_SIGNING_KEY must be set"):
        Settings(secret_key="k").convocation_key()
    assert not no_key.exists()
    monkeypatch.setenv(signing.SIGNING_KEY_ENV, "held-by-the-prefecture")
    key = Settings.from_env().convocation_key()
    assert signing.public_key_text(key) == signing.public_key_text(
        signing.private_key("held-by-the-prefecture")
    )
