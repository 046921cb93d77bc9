"""Who may call the booking API: the callers, their scopes, and a préfecture's API keys.

A caller is the stack's own service (the action server, the scheduler worker: one token the
stack generates and shares), a préfecture's system (an API key with scopes) or, later, a
mediator (their session). A phone number in a body never makes a caller: only a trusted caller
may act for a phone.

An API key is a high-entropy random token shown once; only its SHA-256 is stored. A plain hash
is enough for 256 random bits (nothing to brute-force) and, unlike a keyed hash, survives a
change of GUICHET_SECRET_KEY.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.db import Base


class Scope(StrEnum):
    BOOKINGS_READ = "bookings:read"  # an applicant's bookings, waitlist, offers, proof
    BOOKINGS_WRITE = "bookings:write"  # book, cancel, search into the journal, alerts…
    ADMIN = "admin"  # publishing, convocations, attendance, figures; and all of the above


ALL_SCOPES = frozenset(Scope)
# The action server and the worker act for the people the channels proved; never admin.
SERVICE_SCOPES = frozenset({Scope.BOOKINGS_READ, Scope.BOOKINGS_WRITE})
KEY_PREFIX = "gk_"

CallerKind = Literal["service", "apikey", "mediator"]


@dataclass(frozen=True)
class Caller:
    """Who is calling, as the credential proved it. `name` identifies the credential for rate
    limits and logs (never the token). Mediators (kind "mediator") arrive with their session."""

    kind: CallerKind
    name: str
    scopes: frozenset[str]
    # A mediator acts for one phone only: the one whose owner consented (bot.pan.consent).
    phone: str | None = None

    def may(self, scope: str) -> bool:
        return scope in self.scopes or Scope.ADMIN in self.scopes

    def may_act_for(self, phone: str) -> bool:
        return self.kind != "mediator" or (self.phone is not None and self.phone == phone)


class ApiKey(Base):
    """A préfecture system's key: its name, scopes and the hash of its token."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_key(
    session: Session, name: str, scopes: list[str], *, now: datetime
) -> tuple[ApiKey, str]:
    """A new key and its token, which is shown once and never stored."""
    unknown = set(scopes) - ALL_SCOPES
    if unknown or not scopes:
        known = ", ".join(sorted(ALL_SCOPES))
        raise ValueError(
            f"scopes must be among {known}; got {', '.join(sorted(unknown)) or 'none'}"
        )
    token = new_token()
    key = ApiKey(
        name=name, token_hash=token_hash(token), scopes=sorted(set(scopes)), created_at=now
    )
    session.add(key)
    session.flush()
    return key, token


def revoke_key(session: Session, key_id: int, *, now: datetime) -> bool:
    key = session.get(ApiKey, key_id)
    if key is None or key.revoked_at is not None:
        return False
    key.revoked_at = now
    return True


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def key_caller(session: Session, token: str) -> Caller | None:
    """The caller an API key token proves, or None (unknown or revoked)."""
    key = session.scalar(
        select(ApiKey).where(ApiKey.token_hash == token_hash(token), ApiKey.revoked_at.is_(None))
    )
    if key is None:
        return None
    return Caller("apikey", f"key:{key.id}", frozenset(key.scopes))


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison; an empty expected secret never matches."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
