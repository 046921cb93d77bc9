"""Knowing the applicant: a typed phone or numéro étranger made valid (or refused), and the
applicant row behind a phone, created on first contact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.booking.errors import BookingError
from bot.booking.identity import (
    InvalidNumeroEtranger,
    InvalidPhone,
    NumeroEtranger,
    normalise_phone,
    protect_numero_etranger,
)
from bot.booking.models import Applicant
from bot.i18n import normalise_language


def phone_or_refuse(raw: str) -> str:
    try:
        return normalise_phone(raw)
    except InvalidPhone:
        raise BookingError("invalid_phone") from None


def numero_or_refuse(raw: str | None, secret_key: str) -> NumeroEtranger | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        return protect_numero_etranger(raw, secret_key)
    except InvalidNumeroEtranger:
        raise BookingError("invalid_numero_etranger") from None


def _insert_ignoring_duplicates(session: Session, values: dict[str, object]) -> None:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(Applicant).values(**values).on_conflict_do_nothing(index_elements=["phone"])
    )


def find_applicant(session: Session, phone: str) -> Applicant | None:
    return session.scalars(select(Applicant).where(Applicant.phone == phone)).one_or_none()


def get_or_create_applicant(
    session: Session,
    phone: str,
    now: datetime,
    language: str | None = None,
    numero: NumeroEtranger | None = None,
) -> Applicant:
    """The applicant with this (already normalised) phone, created on first contact. Two first
    contacts racing each other both end up with the same row."""
    applicant = find_applicant(session, phone)
    if applicant is None:
        _insert_ignoring_duplicates(
            session,
            {"phone": phone, "language": normalise_language(language), "created_at": now},
        )
        applicant = find_applicant(session, phone)
        assert applicant is not None
    if language:
        applicant.language = normalise_language(language)
    if numero is not None:
        applicant.numero_etranger_hash = numero.hash
        applicant.numero_etranger_last = numero.last_digits
    return applicant
