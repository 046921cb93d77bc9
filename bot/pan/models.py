"""What the mediator page keeps: server-side sessions (so that logging out really ends one) and
the conversation held on the page, each assistant message with its French rendering."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class PanSession(Base):
    __tablename__ = "pan_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the random token the signed cookie carries: a stolen table opens nothing.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    mediator_id: Mapped[int] = mapped_column(ForeignKey("pan_mediator.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    # The applicant the mediator works for now (their consent).
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("pan_consent.id"), default=None)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class PanMessage(Base):
    """One message of a page conversation. The applicant's text is stored with its phones and
    long numbers sealed (bot.personal), like channel_inbound."""

    __tablename__ = "pan_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("pan_consent.id"), index=True)
    at: Mapped[datetime] = mapped_column()
    from_applicant: Mapped[bool] = mapped_column()
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    text_fr: Mapped[str] = mapped_column(Text, default="")
    buttons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
