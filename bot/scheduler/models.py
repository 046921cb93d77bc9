"""The scheduler's tables: the outbox of messages the assistant sends first and the people who
asked to be told when their renewal window opens. (The chat a phone prefers to be reached on is
the channels': bot.channels.models.PreferredChannel.)"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class MessageKind(str, enum.Enum):
    REMINDER = "reminder"
    OFFER = "offer"
    OFFER_REMINDER = "offer-reminder"
    DEADLINE_OPEN = "deadline-open"
    DEADLINE_CLOSE = "deadline-close"
    PROOF_PDF = "proof-pdf"
    # A booking released under a numéro étranger that was not its phone's (decision 0024).
    NUMERO_RELEASED = "numero-released"


class SendStatus(str, enum.Enum):
    PENDING = "pending"
    # Claimed and committed before the provider is called: a row found in this state after a
    # restart may or may not have reached the provider, so it is checked there, never resent blindly.
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"  # no longer true (booking cancelled, offer settled) when its turn came
    SUPPRESSED = "suppressed"  # the person opted out
    FAILED = "failed"
    # A provider that keeps no searchable record (Telegram) cannot say whether a crashed send
    # went out: we choose at most once and keep the row for a human to look at.
    UNCERTAIN = "uncertain"


class ScheduledMessage(Base):
    """One message to send once. `key` is the idempotency key (`reminder:<booking>:<slot>`,
    `offer:<offer>`…): planning the same message twice inserts nothing the second time."""

    __tablename__ = "scheduled_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    ref_id: Mapped[int | None] = mapped_column()  # booking, offer or subscription id
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="fr")
    body: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime] = mapped_column()
    # Quiet hours give way when waiting for the morning would make the message useless.
    latest_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=SendStatus.PENDING.value)
    attempt_id: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    provider_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column()

    __table_args__ = (Index("ix_scheduled_message_queue", "status", "due_at"),)


class DeadlineSubscription(Base):
    """Someone who gave their title's expiry date and agreed to be told when to apply."""

    __tablename__ = "deadline_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16))
    demarche_code: Mapped[str] = mapped_column(String(64))
    expiry: Mapped[date] = mapped_column()
    language: Mapped[str] = mapped_column(String(8), default="fr")
    consented_at: Mapped[datetime] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (UniqueConstraint("phone", "demarche_code", "expiry"),)
