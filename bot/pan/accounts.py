"""Mediator accounts and their page sessions.

Passwords are hashed with argon2id (argon2-cffi's defaults). Five wrong passwords in a row lock
the account for 15 minutes (on top of the per-IP and per-login rate limits of the page, see
bot.pan.web), whatever the IP: a guessed login cannot be tried from many addresses.

A session is a row (so logging out or disabling the mediator ends it at once) found by the
SHA-256 of a random token; the cookie carries the token signed with a key derived from the
secret key, so that a forged or truncated cookie is refused before any query.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.booking.mediators import Mediator, audit
from bot.catalogue import get_catalogue
from bot.pan.models import PanSession
from bot.secrets import derive

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 10
_HASHER = PasswordHasher()
# Verified against when the login is unknown, so that an unknown login takes as long as a
# wrong password (no account enumeration by timing).
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class AccountError(ValueError):
    """A CLI input refused (unknown site, short password, login taken…)."""


@dataclass(frozen=True)
class LoginResult:
    mediator: Mediator | None


def add(
    session: Session, login: str, name: str, site_code: str, password: str, *, now: datetime
) -> Mediator:
    login = login.strip().lower()
    if not login or len(login) > 64:
        raise AccountError("login: 1 to 64 characters")
    sites = get_catalogue().sites
    if site_code not in sites or sites[site_code].pan is None:
        known = ", ".join(code for code, site in sites.items() if site.pan is not None)
        raise AccountError(f"site: {site_code!r} is not a site with a PAN ({known})")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")
    if session.scalar(select(Mediator.id).where(Mediator.login == login)) is not None:
        raise AccountError(f"login: {login!r} exists already")
    mediator = Mediator(
        login=login,
        name=name.strip() or login,
        site_code=site_code,
        password_hash=_HASHER.hash(password),
        created_at=now,
    )
    session.add(mediator)
    session.flush()
    audit(session, mediator.id, "account_added", now=now, detail=f"site={site_code}")
    return mediator


def set_password(session: Session, mediator: Mediator, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")
    mediator.password_hash = _HASHER.hash(password)
    mediator.failed_logins = 0
    mediator.locked_until = None
    session.flush()


def by_login(session: Session, login: str) -> Mediator | None:
    return session.scalar(select(Mediator).where(Mediator.login == login.strip().lower()))


def disable(session: Session, login: str, *, now: datetime) -> Mediator:
    mediator = by_login(session, login)
    if mediator is None:
        raise AccountError(f"login: no mediator {login!r}")
    mediator.disabled_at = mediator.disabled_at or now
    # Every open session of this mediator ends now.
    session.execute(
        update(PanSession)
        .where(PanSession.mediator_id == mediator.id, PanSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    audit(session, mediator.id, "account_disabled", now=now)
    return mediator


def check_password(session: Session, login: str, password: str, *, now: datetime) -> LoginResult:
    """The mediator when the password is right and the account usable; counts the failures."""
    mediator = by_login(session, login)
    if mediator is None or mediator.disabled_at is not None:
        _verify(_DUMMY_HASH, password)
        return LoginResult(None)
    if mediator.locked_until is not None and mediator.locked_until > now:
        # Verified all the same: a locked account answered in 3 ms, an unknown one in 115,
        # which told which logins exist (an attacker's test, session 30).
        _verify(mediator.password_hash, password)
        audit(session, mediator.id, "login_locked", now=now)
        return LoginResult(None)
    if not _verify(mediator.password_hash, password):
        mediator.failed_logins += 1
        locked = mediator.failed_logins >= MAX_FAILED_LOGINS
        if locked:
            mediator.locked_until = now + LOCKOUT
            mediator.failed_logins = 0
        audit(session, mediator.id, "login_failed", now=now, detail="locked" if locked else None)
        return LoginResult(None)
    mediator.failed_logins = 0
    mediator.locked_until = None
    if _HASHER.check_needs_rehash(mediator.password_hash):
        mediator.password_hash = _HASHER.hash(password)
    audit(session, mediator.id, "login", now=now)
    return LoginResult(mediator)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# -- sessions -----------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _signature(token: str, secret_key: str) -> str:
    key = derive(secret_key, "pan-session-cookie").encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()[:32]


def cookie_value(token: str, secret_key: str) -> str:
    return f"{token}.{_signature(token, secret_key)}"


def token_of(cookie: str | None, secret_key: str) -> str | None:
    """The token of a cookie we signed; None for anything else."""
    if not cookie or len(cookie) > 200 or "." not in cookie:
        return None
    token, _, signature = cookie.rpartition(".")
    if not hmac.compare_digest(signature.encode(), _signature(token, secret_key).encode()):
        return None
    return token


def open_session(
    session: Session, mediator: Mediator, lifetime: timedelta, *, now: datetime
) -> tuple[PanSession, str]:
    token = secrets.token_urlsafe(32)
    row = PanSession(
        token_hash=_token_hash(token),
        mediator_id=mediator.id,
        csrf=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    return row, token


def live_session(session: Session, token: str | None, *, now: datetime) -> PanSession | None:
    """The session of this token while it is open, unexpired and its mediator enabled."""
    if token is None:
        return None
    row = session.scalar(select(PanSession).where(PanSession.token_hash == _token_hash(token)))
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    mediator = session.get(Mediator, row.mediator_id)
    if mediator is None or mediator.disabled_at is not None:
        return None
    return row


def close_session(session: Session, row: PanSession, *, now: datetime) -> None:
    row.ended_at = now
    session.flush()
