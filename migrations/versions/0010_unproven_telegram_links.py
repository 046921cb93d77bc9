"""Telegram chats linked to a phone before a phone had to be proven: dropped.

Until session 22 the booking form took any number typed on Telegram, and the chat was linked to
it: that person's reminders, waitlist offers and deadline alerts went to whoever typed it. A
link made from a typed number cannot be told from one made from a shared contact, so every
Telegram link goes; the phone's messages go by SMS again until its owner shares their contact
in the chat (bot.channels.telegram `own_contact_phone`).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM preferred_channel WHERE channel = 'telegram'")


def downgrade() -> None:
    pass  # the links are gone; a shared contact makes them again
