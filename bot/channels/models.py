"""What the channels remember: contacts (opt-out, language, last menu, pages left, the question
last asked),
every inbound message (its provider id is the de-duplication key, its status the replay
queue), every outbound message (segments, encoding, provider id, delivery status) and the chat
a phone prefers to be reached on."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, utcnow


class Channel(str, enum.Enum):
    SMS = "sms"
    TELEGRAM = "telegram"


class InboundStatus(str, enum.Enum):
    RECEIVED = "received"
    DONE = "done"
    QUEUED = "queued"  # kept while Rasa is down or the sender floods; replayed in order
    # Arrived while another gateway process was answering this sender: that process answers
    # it next, in arrival order (see Contact.busy_until).
    WAITING = "waiting"


class Contact(Base):
    __tablename__ = "channel_contacts"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))  # E.164 phone or Telegram chat id
    language: Mapped[str] = mapped_column(String(8), default="fr")
    # Where `language` comes from (bot.channels.language.LanguageSource); None: never answered.
    language_source: Mapped[str | None] = mapped_column(String(8), default=None)
    opted_out: Mapped[bool] = mapped_column(default=False)
    opted_out_at: Mapped[datetime | None] = mapped_column(default=None)
    last_menu: Mapped[list[str]] = mapped_column(JSON, default=list)
    pages_left: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The question last asked of this person here (bot.words.Question): who a bare OUI, NON,
    # ANNULER or DOCS is for (read in bot.channels.turn.route).
    pending_question: Mapped[str | None] = mapped_column(String(16), default=None)
    # The lease of the gateway process answering this sender now (one at a time, in order,
    # across processes); a crashed holder's lease simply runs out.
    busy_until: Mapped[datetime | None] = mapped_column(default=None)
    busy_by: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboundMessage(Base):
    __tablename__ = "channel_inbound"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_channel_inbound_queue", "status", "contact_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))  # MessageSid or update_id
    contact_id: Mapped[int] = mapped_column(ForeignKey("channel_contacts.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    # What goes to Rasa: the body, or the payload a menu number or a button stood for.
    resolved: Mapped[str | None] = mapped_column(Text, default=None)
    # A waiting message's Telegram payload, /start and shared phone, to answer it later as if now.
    details: Mapped[dict[str, object] | None] = mapped_column(JSON, default=None)
    status: Mapped[str] = mapped_column(String(16), default=InboundStatus.RECEIVED.value)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)


class OutboundMessage(Base):
    __tablename__ = "channel_outbound"
    __table_args__ = (Index("ix_channel_outbound_provider_id", "provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    segments: Mapped[int] = mapped_column(default=1)
    encoding: Mapped[str] = mapped_column(String(8), default="")
    provider_id: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[str] = mapped_column(String(24), default="pending")
    error_code: Mapped[str | None] = mapped_column(String(16), default=None)
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("channel_inbound.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PreferredChannel(Base):
    """Where to reach a phone's owner when they prefer Telegram to SMS (bot.channels.phone_link)."""

    __tablename__ = "preferred_channel"

    phone: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column()
