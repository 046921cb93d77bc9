"""Signed convocations: what the QR code of a printed convocation carries, and how a counter
checks it offline with the préfecture's public key (docs/decisions/0014-signed-convocation.md).

The payload is one line of URL-safe ASCII, short so that the QR code stays small (version 8 at
error level M for the longest démarche code):

    G1.<code>.<start>.<site>.<demarche>.<signature>

- `G1`: the format's version; a later format gets another prefix and this one keeps reading.
- `<code>`: the convocation code, 8 characters, without its dash.
- `<start>`: the slot's start in UTC, minutes: `YYYYMMDDHHMM`.
- `<site>`, `<demarche>`: the catalogue codes.
- `<signature>`: Ed25519 over every character before the last dot, URL-safe base64 unpadded
  (86 characters).

The signed text is the payload itself up to the signature, version included: a field cannot be
moved, changed or dropped, nor the version swapped, without the signature failing.

The private key is derived from a secret the préfecture holds: `GUICHET_SIGNING_KEY`, else
`var/signing-key` created on first use (0600, refused in production like every kept secret:
bot.secrets). Only the public key leaves the machine (`guichet verify --public-key`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from bot.secrets import secret_from_env

VERSION = "G1"
SIGNING_KEY_ENV = "GUICHET_SIGNING_KEY"
SIGNING_KEY_FILE = "signing-key"
# How a public key is written for people: the algorithm, then the 32 raw bytes in base64url.
PUBLIC_KEY_PREFIX = "ed25519:"
_SIGNATURE_CHARS = 86  # 64 bytes in unpadded base64url
_START_FORMAT = "%Y%m%d%H%M"
# A code of the catalogue or a convocation code: never a dot (the separator).
_FIELD = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_PAYLOAD = re.compile(
    r"^(?P<version>G\d+)\.(?P<code>[A-Z0-9]{8})\.(?P<start>\d{12})\."
    r"(?P<site>[A-Za-z0-9_\-]{1,64})\.(?P<demarche>[A-Za-z0-9_\-]{1,64})\."
    r"(?P<signature>[A-Za-z0-9_\-]{" + str(_SIGNATURE_CHARS) + r"})$"
)
MAX_PAYLOAD_LENGTH = 3 + 9 + 13 + 65 + 65 + _SIGNATURE_CHARS


@dataclass(frozen=True)
class ConvocationFacts:
    """What the signature vouches for: the code, and the slot it was issued for."""

    code: str  # normalised: 8 characters, no dash
    starts_at: datetime  # aware, UTC, whole minutes
    site: str
    demarche: str


class InvalidPayload(ValueError):
    """A payload that is not ours: `reason` is 'malformed', 'unknown_version' or 'forged'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _start_text(moment: datetime) -> str:
    if moment.tzinfo is None:  # our convention: a naive datetime is UTC (SQLite returns them)
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(_START_FORMAT)


def signed_text(facts: ConvocationFacts, version: str = VERSION) -> str:
    """The part of the payload the signature covers."""
    for field in (facts.code, facts.site, facts.demarche):
        if not _FIELD.match(field):
            raise ValueError(f"cannot sign the field {field!r}: letters, digits, _ and - only")
    return f"{version}.{facts.code}.{_start_text(facts.starts_at)}.{facts.site}.{facts.demarche}"


def sign(facts: ConvocationFacts, key: Ed25519PrivateKey) -> str:
    """The QR payload of a convocation."""
    text = signed_text(facts)
    return f"{text}.{_b64(key.sign(text.encode('ascii')))}"


def looks_like_payload(text: str) -> bool:
    """Whether what was typed or scanned is meant as a payload rather than a bare code."""
    return text.strip().upper().startswith("G") and text.strip().count(".") >= 2


def read(payload: str, public_key: Ed25519PublicKey) -> ConvocationFacts:
    """The facts of a payload whose signature holds under `public_key`; raises InvalidPayload."""
    match = _PAYLOAD.match(payload.strip())
    if match is None:
        raise InvalidPayload("malformed")
    if match["version"] != VERSION:
        raise InvalidPayload("unknown_version")
    try:
        signature = _unb64(match["signature"])
        starts_at = datetime.strptime(match["start"], _START_FORMAT).replace(tzinfo=UTC)
    except (ValueError, binascii.Error) as exc:
        raise InvalidPayload("malformed") from exc
    text = payload.strip()[: -(_SIGNATURE_CHARS + 1)]
    try:
        public_key.verify(signature, text.encode("ascii"))
    except InvalidSignature as exc:
        raise InvalidPayload("forged") from exc
    return ConvocationFacts(match["code"], starts_at, match["site"], match["demarche"])


# -- keys ------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def private_key(secret: str) -> Ed25519PrivateKey:
    """The signing key of a kept secret: its seed is a hash of it for this one purpose, so the
    secret may be any long random string, like the others of bot.secrets."""
    seed = hashlib.sha256(f"guichet:convocation-signing:{secret}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def signing_key(directory: Path) -> Ed25519PrivateKey:
    """The préfecture's key: GUICHET_SIGNING_KEY, else `directory/signing-key` (created once)."""
    secret, _created = secret_from_env(SIGNING_KEY_ENV, directory, SIGNING_KEY_FILE)
    return private_key(secret)


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """'ed25519:' and the 32 raw bytes in base64url: one line to print, mail or paste."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PUBLIC_KEY_PREFIX + _b64(raw)


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The same key as PEM (SubjectPublicKeyInfo), for tools such as openssl."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public_key(text: str) -> Ed25519PublicKey:
    """A public key written by `public_key_text` or `public_key_pem`; ValueError otherwise."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    if not text.startswith(PUBLIC_KEY_PREFIX):
        raise ValueError(f"a public key starts with {PUBLIC_KEY_PREFIX!r} or is PEM")
    try:
        raw = _unb64(text[len(PUBLIC_KEY_PREFIX) :])
    except (ValueError, binascii.Error) as exc:
        raise ValueError("the public key is not base64url") from exc
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)
