"""PAN mediators: accounts, consents (phone hashed and sealed), audit, page sessions and
the page's conversation.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db  # noqa: F401  (custom column types such as bot.db.UTCDateTime)

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pan_mediator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("site_code", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pan_mediator")),
        sa.UniqueConstraint("login", name=op.f("uq_pan_mediator_login")),
    )
    op.create_table(
        "pan_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mediator_id", sa.Integer(), nullable=True),
        sa.Column("at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("applicant", sa.String(length=24), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["mediator_id"], ["pan_mediator.id"], name=op.f("fk_pan_audit_mediator_id_pan_mediator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pan_audit")),
    )
    with op.batch_alter_table("pan_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pan_audit_mediator_id"), ["mediator_id"], unique=False)

    op.create_table(
        "pan_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mediator_id", sa.Integer(), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("phone_sealed", sa.String(length=200), nullable=False),
        sa.Column("phone_masked", sa.String(length=24), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("wrong_codes", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("code_expires_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["pan_mediator.id"],
            name=op.f("fk_pan_consent_mediator_id_pan_mediator"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pan_consent")),
    )
    with op.batch_alter_table("pan_consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pan_consent_mediator_id"), ["mediator_id"], unique=False
        )
        batch_op.create_index("ix_pan_consent_phone", ["phone_hash", "status"], unique=False)

    op.create_table(
        "pan_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("from_applicant", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_fr", sa.Text(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["pan_consent.id"], name=op.f("fk_pan_message_consent_id_pan_consent")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pan_message")),
    )
    with op.batch_alter_table("pan_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pan_message_consent_id"), ["consent_id"], unique=False)

    op.create_table(
        "pan_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("mediator_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["pan_consent.id"], name=op.f("fk_pan_session_consent_id_pan_consent")
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"],
            ["pan_mediator.id"],
            name=op.f("fk_pan_session_mediator_id_pan_mediator"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pan_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pan_session_token_hash")),
    )
    with op.batch_alter_table("pan_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pan_session_mediator_id"), ["mediator_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pan_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pan_session_mediator_id"))

    op.drop_table("pan_session")
    with op.batch_alter_table("pan_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pan_message_consent_id"))

    op.drop_table("pan_message")
    with op.batch_alter_table("pan_consent", schema=None) as batch_op:
        batch_op.drop_index("ix_pan_consent_phone")
        batch_op.drop_index(batch_op.f("ix_pan_consent_mediator_id"))

    op.drop_table("pan_consent")
    with op.batch_alter_table("pan_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pan_audit_mediator_id"))

    op.drop_table("pan_audit")
    op.drop_table("pan_mediator")
