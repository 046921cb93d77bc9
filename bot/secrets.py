"""Every secret of the stack in one place: the keys kept under var/, the keys derived from them,
and sealing (authenticated encryption) of the personal values that must cross a store.

A key comes from the environment when set, else from a file under var/ that the first process
to need it creates (random, mode 0600) and every later process reads: `guichet run`, its worker
and action server then share it without anyone choosing a weak one. In production
(GUICHET_ENV=production) a missing key is an error, never a file made on the spot.

Sealing is AES-256-GCM from the `cryptography` library (a random 96-bit nonce per value, the
key derived for this purpose). Values sealed by the first construction (HMAC-SHA256 in counter
mode, then an HMAC tag) still open, read-only: they leave the stores with the 90-day retention
(docs/decisions/0016-aes-gcm-seal.md).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# Where a secret lives when the environment does not give it.
SECRET_KEY_FILE = "secret-key"
SERVICE_TOKEN_FILE = "service-token"
PRODUCTION = "production"

_NONCE_BYTES = 12
_TAG_BYTES = 16
SEAL_PREFIX = "pii:"
# The first byte of a sealed value: AES-256-GCM. A legacy token has none (it starts with its
# nonce); one whose nonce happens to start with this byte fails GCM's tag and opens as legacy.
SEAL_VERSION = b"\x01"
# Bound to the ciphertext: a Guichet personal value, not any other use of the key.
SEAL_CONTEXT = b"guichet:pii"


class MissingSecret(SystemExit):
    """Production mode without an explicit secret: the process stops with this message."""


def production() -> bool:
    return os.environ.get("GUICHET_ENV", "").strip().lower() == PRODUCTION


def stored_secret(directory: Path, name: str) -> tuple[str, bool]:
    """The secret kept in `directory/name`, created at random (0600) when missing.

    Returns (secret, created). Two processes starting together agree: the file is published
    with a hard link, which fails when another process published first.
    """
    path = directory / name
    for _ in range(50):
        with contextlib.suppress(FileNotFoundError):
            value = path.read_text().strip()
            if value:
                return value, False
        directory.mkdir(parents=True, exist_ok=True)
        draft = directory / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(32) + "\n")
            os.link(draft, path)
            return path.read_text().strip(), True
        except FileExistsError:
            time.sleep(0.01)
        finally:
            draft.unlink(missing_ok=True)
    raise RuntimeError(f"cannot read or create {path}")


def secret_from_env(variable: str, directory: Path, name: str) -> tuple[str, bool]:
    """The environment's value, else the one kept under var/ (refused in production)."""
    value = os.environ.get(variable, "").strip()
    if value:
        return value, False
    if production():
        raise MissingSecret(
            f"{variable} must be set when GUICHET_ENV=production "
            f"(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return stored_secret(directory, name)


def derive(key: str, purpose: str) -> str:
    """A key for one purpose (the NLG token, the sealing keys...): knowing it reveals neither
    the master key nor the keys of other purposes."""
    return hmac.new(key.encode(), f"guichet:{purpose}".encode(), hashlib.sha256).hexdigest()


def _aes(key: str) -> AESGCM:
    return AESGCM(bytes.fromhex(derive(key, "seal-aes-256-gcm")))


def seal(value: str, key: str) -> str:
    """`value` encrypted and authenticated: 'pii:' then URL-safe base64, different each time."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    cipher = _aes(key).encrypt(nonce, value.encode(), SEAL_CONTEXT)
    raw = SEAL_VERSION + nonce + cipher
    return SEAL_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unseal(token: object, key: str) -> str | None:
    """The value of a token made by `seal` with this key (or by the legacy construction);
    None for anything else."""
    if not isinstance(token, str) or not token.startswith(SEAL_PREFIX):
        return None
    body = token[len(SEAL_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        return None
    plain: bytes | None = None
    if raw[:1] == SEAL_VERSION and len(raw) >= 1 + _NONCE_BYTES + _TAG_BYTES:
        nonce, cipher = raw[1 : 1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES :]
        try:
            plain = _aes(key).decrypt(nonce, cipher, SEAL_CONTEXT)
        except InvalidTag:
            plain = None
    if plain is None:
        plain = _unseal_legacy(raw, key)
    if plain is None:
        return None
    try:
        return plain.decode()
    except UnicodeDecodeError:
        return None


# -- the first construction, read-only (values sealed before AES-GCM) -------------------------


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (length + 31) // 32
    return b"".join(
        hmac.new(key, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest() for i in range(blocks)
    )[:length]


def _unseal_legacy(raw: bytes, key: str) -> bytes | None:
    if len(raw) < _NONCE_BYTES + _TAG_BYTES:
        return None
    nonce, cipher, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-_TAG_BYTES], raw[-_TAG_BYTES:]
    encrypt = derive(key, "seal-encrypt").encode()
    authenticate = derive(key, "seal-authenticate").encode()
    expected = hmac.new(authenticate, nonce + cipher, hashlib.sha256).digest()[:_TAG_BYTES]
    if not hmac.compare_digest(tag, expected):
        return None
    return bytes(
        a ^ b for a, b in zip(cipher, _keystream(encrypt, nonce, len(cipher)), strict=True)
    )
