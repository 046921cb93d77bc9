"""Mediators of the Points d'Accueil Numérique (PAN), the consents applicants give them, and the
audit of what they did: the engine's part, so that the booking API can check that a booking
marked as made by a mediator (`mediator_ref` "pan:<id>") was made under a live consent.

A consent never stores the applicant's phone in clear: a keyed hash finds it (the same phone
always gives the same hash under one secret key), a sealed copy lets the mediator who holds the
consent act for it (bot.secrets.seal). The web page, the sessions and the code sent by SMS live
in bot.pan.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.booking.errors import BookingError
from bot.booking.identity import mask_phone
from bot.db import Base
from bot.secrets import derive

REF_PREFIX = "pan:"
# What a consent lets the mediator do (the only scope so far; kept per row for the audit).
SCOPE_BOOKINGS = "bookings"


class ConsentStatus(str, enum.Enum):
    PENDING = "pending"  # the code was sent, not typed yet
    ACTIVE = "active"  # the code was typed: the mediator may act until expires_at
    LOCKED = "locked"  # five wrong codes
    REVOKED = "revoked"  # the applicant sent RETIRER / REVOKE / سحب
    ENDED = "ended"  # the mediator closed it (or logged out)


class Mediator(Base):
    __tablename__ = "pan_mediator"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    site_code: Mapped[str] = mapped_column(String(64))  # the PAN: a site of the catalogue
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id (bot.pan.accounts)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column()


class Consent(Base):
    __tablename__ = "pan_consent"
    __table_args__ = (Index("ix_pan_consent_phone", "phone_hash", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mediator_id: Mapped[int] = mapped_column(ForeignKey("pan_mediator.id"), index=True)
    phone_hash: Mapped[str] = mapped_column(String(64))
    phone_sealed: Mapped[str] = mapped_column(String(200))
    phone_masked: Mapped[str] = mapped_column(String(24))
    language: Mapped[str] = mapped_column(String(8))
    scope: Mapped[str] = mapped_column(String(32), default=SCOPE_BOOKINGS)
    status: Mapped[str] = mapped_column(String(16), default=ConsentStatus.PENDING.value)
    code_hash: Mapped[str] = mapped_column(String(64))
    wrong_codes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column()
    code_expires_at: Mapped[datetime] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)

    def live(self, now: datetime) -> bool:
        return (
            self.status == ConsentStatus.ACTIVE.value
            and self.expires_at is not None
            and self.expires_at > now
        )


class MediatorAudit(Base):
    """One line per thing a mediator did: who, which applicant (masked), what, when."""

    __tablename__ = "pan_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("pan_mediator.id"), index=True)
    at: Mapped[datetime] = mapped_column()
    action: Mapped[str] = mapped_column(String(32))
    applicant: Mapped[str | None] = mapped_column(String(24))  # masked phone
    detail: Mapped[str | None] = mapped_column(String(200))


def phone_hash(phone: str, secret_key: str) -> str:
    """The keyed hash that finds a phone's consents without keeping the phone in clear."""
    key = derive(secret_key, "pan-phone").encode()
    return hmac.new(key, phone.encode(), hashlib.sha256).hexdigest()


def mediator_ref(mediator_id: int) -> str:
    return f"{REF_PREFIX}{mediator_id}"


# "pan:" then the row id in ASCII digits, no longer than any id a database gives.
_REF = re.compile(r"pan:([0-9]{1,18})")


def mediator_id_of(ref: str | None) -> int | None:
    """The mediator id of a `mediator_ref`, or None. ASCII digits only and bounded: "²" and "٣"
    pass str.isdigit(), and "pan:99999999999999999999" overflowed the database (a 500)."""
    found = _REF.fullmatch(ref) if ref else None
    return int(found.group(1)) if found else None


def live_consent(
    session: Session, mediator_id: int, phone: str, secret_key: str, now: datetime
) -> Consent | None:
    """The mediator's live consent for this phone, if the applicant gave one."""
    rows = session.scalars(
        select(Consent)
        .where(
            Consent.mediator_id == mediator_id,
            Consent.phone_hash == phone_hash(phone, secret_key),
            Consent.status == ConsentStatus.ACTIVE.value,
        )
        .order_by(Consent.id.desc())
    )
    for consent in rows:
        mediator = session.get(Mediator, mediator_id)
        if consent.live(now) and mediator is not None and mediator.disabled_at is None:
            return consent
    return None


def check_mediator_ref(
    session: Session, ref: str | None, phone: str, secret_key: str, now: datetime
) -> str | None:
    """A booking, a move, a cancellation or a waitlist request marked as a mediator's: allowed
    only under that mediator's live consent for this very phone (403 `no_consent` otherwise).
    Before PAN accounts existed `mediator_ref` was any string: anyone who knew a code and the
    string could cancel."""
    if ref is None:
        return None
    mediator_id = mediator_id_of(ref)
    if mediator_id is None or live_consent(session, mediator_id, phone, secret_key, now) is None:
        raise BookingError("no_consent")
    return ref


def audit(
    session: Session,
    mediator_id: int | None,
    action: str,
    *,
    now: datetime,
    phone: str | None = None,
    masked: str | None = None,
    detail: str | None = None,
) -> None:
    session.add(
        MediatorAudit(
            mediator_id=mediator_id,
            at=now,
            action=action,
            applicant=masked if masked is not None else (mask_phone(phone) if phone else None),
            detail=detail[:200] if detail else None,
        )
    )
    session.flush()
