"""The lease that makes one gateway process at a time answer a sender, across processes.

Each step is one conditional UPDATE on the contact, run inside the caller's transaction: of two
processes racing (PostgreSQL re-reads the row after the first commits; SQLite writers take
turns) exactly one wins.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from bot.channels.models import Contact
from bot.db import utcnow

# Longer than any turn (Rasa's timeout is 30 s) and renewed for each message answered: a lease
# that runs out means its process died, and the replayer takes over the waiting messages.
LEASE = timedelta(minutes=2)


def take(session: Session, contact_id: int) -> str | None:
    """The sender for this process, if no other holds it: the lease's token, else None."""
    token = uuid.uuid4().hex
    now = utcnow()
    taken = session.execute(
        update(Contact)
        .where(
            Contact.id == contact_id,
            or_(Contact.busy_until.is_(None), Contact.busy_until < now),
        )
        .values(busy_until=now + LEASE, busy_by=token)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return token if taken else None


def renew(session: Session, contact_id: int, lease: str) -> bool:
    """False when the lease was lost (it ran out and another process took the sender)."""
    renewed = session.execute(
        update(Contact)
        .where(Contact.id == contact_id, Contact.busy_by == lease)
        .values(busy_until=utcnow() + LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return bool(renewed)


def release(session: Session, contact_id: int, lease: str) -> None:
    session.execute(
        update(Contact)
        .where(Contact.id == contact_id, Contact.busy_by == lease)
        .values(busy_until=None, busy_by=None)
        .execution_options(synchronize_session=False)
    )
