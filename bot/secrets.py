"""Every secret of the stack in one place: the keys kept under var/, the keys derived from them,
and sealing (authenticated encryption) of the personal values that must cross a store.

A key comes from the environment when set, else from a file under var/ that the first process
to need it creates (random, mode 0600) and every later process reads: `guichet run`, its worker
and action server then share it without anyone choosing a weak one. In production
(GUICHET_ENV=production) a missing key is an error, never a file made on the spot.

Sealing is HMAC-SHA256 in counter mode with a random nonce, then HMAC-SHA256 over nonce and
ciphertext (encrypt-then-MAC, keys derived per purpose): standard constructions from the
standard library, for values of a few dozen bytes (docs/decisions/0008-privacy-sealed-personal-numbers.md).
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

# Where a secret lives when the environment does not give it.
SECRET_KEY_FILE = "secret-key"
PRODUCTION = "production"

_NONCE_BYTES = 12
_TAG_BYTES = 16
SEAL_PREFIX = "pii:"


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


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (length + 31) // 32
    return b"".join(
        hmac.new(key, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest() for i in range(blocks)
    )[:length]


def _keys(key: str) -> tuple[bytes, bytes]:
    return derive(key, "seal-encrypt").encode(), derive(key, "seal-authenticate").encode()


def seal(value: str, key: str) -> str:
    """`value` encrypted and authenticated: 'pii:' then URL-safe base64, different each time."""
    encrypt, authenticate = _keys(key)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    plain = value.encode()
    cipher = bytes(
        a ^ b for a, b in zip(plain, _keystream(encrypt, nonce, len(plain)), strict=True)
    )
    tag = hmac.new(authenticate, nonce + cipher, hashlib.sha256).digest()[:_TAG_BYTES]
    return SEAL_PREFIX + base64.urlsafe_b64encode(nonce + cipher + tag).decode().rstrip("=")


def unseal(token: object, key: str) -> str | None:
    """The value of a token made by `seal` with this key; None for anything else."""
    if not isinstance(token, str) or not token.startswith(SEAL_PREFIX):
        return None
    body = token[len(SEAL_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        return None
    if len(raw) < _NONCE_BYTES + _TAG_BYTES:
        return None
    nonce, cipher, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-_TAG_BYTES], raw[-_TAG_BYTES:]
    encrypt, authenticate = _keys(key)
    expected = hmac.new(authenticate, nonce + cipher, hashlib.sha256).digest()[:_TAG_BYTES]
    if not hmac.compare_digest(tag, expected):
        return None
    plain = bytes(
        a ^ b for a, b in zip(cipher, _keystream(encrypt, nonce, len(cipher)), strict=True)
    )
    try:
        return plain.decode()
    except UnicodeDecodeError:
        return None
