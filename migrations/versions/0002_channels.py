"""The channels: contacts (opt-out, language, last menu, pages left), inbound messages
(de-duplication key and replay queue), outbound messages (segments, encoding, provider status).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:39:12.366816
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("opted_out_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_menu", sa.JSON(), nullable=False),
        sa.Column("pages_left", sa.JSON(), nullable=False),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_contacts")),
        sa.UniqueConstraint("channel", "address", name=op.f("uq_channel_contacts_channel_address")),
    )
    op.create_table(
        "channel_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("resolved", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("processed_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["channel_contacts.id"],
            name=op.f("fk_channel_inbound_contact_id_channel_contacts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_inbound")),
        sa.UniqueConstraint(
            "channel", "external_id", name=op.f("uq_channel_inbound_channel_external_id")
        ),
    )
    op.create_index("ix_channel_inbound_queue", "channel_inbound", ["status", "contact_id", "id"])

    op.create_table(
        "channel_outbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("encoding", sa.String(length=8), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("error_code", sa.String(length=16), nullable=True),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbound_id"],
            ["channel_inbound.id"],
            name=op.f("fk_channel_outbound_inbound_id_channel_inbound"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_outbound")),
    )
    op.create_index("ix_channel_outbound_provider_id", "channel_outbound", ["provider_id"])


def downgrade() -> None:
    op.drop_index("ix_channel_outbound_provider_id", table_name="channel_outbound")

    op.drop_table("channel_outbound")
    op.drop_index("ix_channel_inbound_queue", table_name="channel_inbound")

    op.drop_table("channel_inbound")
    op.drop_table("channel_contacts")
