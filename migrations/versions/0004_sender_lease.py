"""One gateway process at a time answers a sender: a lease on the contact, and what a message
that waits for it needs to be answered later (its Telegram payload, /start, shared phone).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "channel_contacts",
        sa.Column("busy_until", bot.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column("channel_contacts", sa.Column("busy_by", sa.String(length=32), nullable=True))
    op.add_column("channel_inbound", sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channel_inbound") as batch:
        batch.drop_column("details")
    with op.batch_alter_table("channel_contacts") as batch:
        batch.drop_column("busy_by")
        batch.drop_column("busy_until")
