"""The applicant's consent, asked before anything: a 6-digit code sent to their phone (SMS, or
the Telegram chat that phone is linked to), in their language, saying who may do what and for
how long. The mediator types the code the applicant reads out; five wrong codes lock the
request. RETIRER / REVOKE / سحب (bot.words.Word.REVOKE), sent by the applicant at any time,
ends every consent given for their phone.

The phone is kept as a keyed hash and a sealed copy (bot.booking.mediators), the code as a
keyed hash: neither is in clear in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking.identity import mask_phone
from bot.booking.mediators import (
    Consent,
    ConsentStatus,
    Mediator,
    audit,
    phone_hash,
)
from bot.catalogue import get_catalogue
from bot.channels.outbound import Outgoing, record, shaped_for
from bot.db import serialise_on
from bot.i18n import normalise_language, translate
from bot.pan import messages
from bot.scheduler.recipients import recipient_for, silenced
from bot.secrets import derive, seal, unseal

MAX_WRONG_CODES = 5
CODE_VALID = timedelta(minutes=10)
# Codes sent to one phone within an hour, by any mediator. Each request reset the five wrong
# codes: 30 requests in 2.6 s texted the person 30 codes and allowed 150 guesses (session 22).
# Three leave room for a person beside the mediator who mistyped, at 15 guesses an hour.
MAX_REQUESTS_PER_HOUR = 3
REQUEST_WINDOW = timedelta(hours=1)
CONSENT_HOURS = 2


class ConsentRefused(Exception):
    """Why the page cannot go on: `reason` is a key of bot.pan.web's French sentences."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Asked:
    consent: Consent
    message: Outgoing  # the code, recorded, to deliver through the channel's outbox


def _code_hash(consent_id: int, code: str, secret_key: str) -> str:
    key = derive(secret_key, "pan-consent-code").encode()
    return hmac.new(key, f"{consent_id}:{code}".encode(), hashlib.sha256).hexdigest()


def site_name(mediator: Mediator) -> str:
    """The PAN's town, as the applicant knows it: « le PAN de Périgueux »."""
    site = get_catalogue().sites.get(mediator.site_code)
    return site.city if site is not None else mediator.site_code


def ask(
    session: Session,
    mediator: Mediator,
    phone: str,
    language: str,
    secret_key: str,
    *,
    now: datetime,
) -> Asked:
    """A new consent request for `phone` (E.164) and its code message, recorded."""
    lang = normalise_language(language)
    recipient = recipient_for(session, phone)
    if silenced(session, recipient):
        raise ConsentRefused("opted_out")
    hashed = phone_hash(phone, secret_key)
    # Counted and inserted under one lock: 12 requests at once on PostgreSQL all passed.
    serialise_on(session, f"pan-consent:{hashed}")
    recent = session.scalars(
        select(Consent).where(
            Consent.phone_hash == hashed, Consent.created_at > now - REQUEST_WINDOW
        )
    ).all()
    if len(recent) >= MAX_REQUESTS_PER_HOUR:
        audit(session, mediator.id, "consent_refused_rate", now=now, phone=phone)
        raise ConsentRefused("too_many_requests")
    code = f"{secrets.randbelow(10**6):06d}"
    consent = Consent(
        mediator_id=mediator.id,
        phone_hash=hashed,
        phone_sealed=seal(phone, secret_key),
        phone_masked=mask_phone(phone),
        language=lang,
        code_hash="",
        created_at=now,
        code_expires_at=now + CODE_VALID,
    )
    session.add(consent)
    session.flush()
    consent.code_hash = _code_hash(consent.id, code, secret_key)
    text = translate(
        messages.CONSENT_CODE, lang, code=code, site=site_name(mediator), hours=CONSENT_HOURS
    )
    outgoing = record(
        session,
        Outgoing(recipient.channel, recipient.address, shaped_for(recipient.channel, text, lang)),
    )
    audit(session, mediator.id, "consent_asked", now=now, phone=phone, detail=recipient.channel)
    return Asked(consent, outgoing)


def confirm(
    session: Session, consent: Consent, code: str, secret_key: str, *, now: datetime
) -> Consent:
    """Records the consent when `code` is the one sent; counts and locks wrong codes."""
    # The row locked and read afresh: 40 wrong codes at once on PostgreSQL counted as one.
    session.refresh(consent, with_for_update=True)
    if consent.status != ConsentStatus.PENDING.value:
        raise ConsentRefused("consent_" + consent.status)
    if consent.code_expires_at <= now:
        raise ConsentRefused("code_expired")
    typed = "".join(c for c in code if c.isdigit())
    expected = consent.code_hash
    if not hmac.compare_digest(_code_hash(consent.id, typed, secret_key), expected):
        consent.wrong_codes += 1
        locked = consent.wrong_codes >= MAX_WRONG_CODES
        if locked:
            consent.status = ConsentStatus.LOCKED.value
            consent.ended_at = now
        audit(
            session,
            consent.mediator_id,
            "consent_locked" if locked else "consent_wrong_code",
            now=now,
            masked=consent.phone_masked,
        )
        session.flush()
        raise ConsentRefused("consent_locked" if locked else "wrong_code")
    consent.status = ConsentStatus.ACTIVE.value
    consent.started_at = now
    consent.expires_at = now + timedelta(hours=CONSENT_HOURS)
    audit(session, consent.mediator_id, "consent_given", now=now, masked=consent.phone_masked)
    session.flush()
    return consent


def phone_of(consent: Consent, secret_key: str) -> str:
    phone = unseal(consent.phone_sealed, secret_key)
    if phone is None:  # sealed under another key: the secret key changed
        raise ConsentRefused("consent_ended")
    return phone


def end(session: Session, consent: Consent, *, now: datetime, by_applicant: bool = False) -> None:
    if consent.status in (ConsentStatus.PENDING.value, ConsentStatus.ACTIVE.value):
        consent.status = (ConsentStatus.REVOKED if by_applicant else ConsentStatus.ENDED).value
        consent.ended_at = now
        audit(
            session,
            consent.mediator_id,
            "consent_revoked" if by_applicant else "consent_ended",
            now=now,
            masked=consent.phone_masked,
        )
    # A page that held it says why at its next request (bot.pan.web), then lets it go.
    session.flush()


def revoke_all(session: Session, phone: str, secret_key: str, *, now: datetime) -> list[Consent]:
    """RETIRER from the applicant: every consent for their phone ends; those it ended."""
    open_ones = list(
        session.scalars(
            select(Consent).where(
                Consent.phone_hash == phone_hash(phone, secret_key),
                Consent.status.in_([ConsentStatus.PENDING.value, ConsentStatus.ACTIVE.value]),
            )
        )
    )
    for consent in open_ones:
        end(session, consent, now=now, by_applicant=True)
    return open_ones
