"""Why a booking was cancelled when not by the phone that booked it: `numero_released`, a booking
held under someone's numéro étranger by another phone, released by a PAN mediator or the
préfecture once they saw the owner's card (decision 0024). The database refuses a reason on a
booking that is not cancelled.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode (SQLite: env.py) rebuilds the table, the only way SQLite adds a CHECK.
    with op.batch_alter_table("booking") as batch:
        batch.add_column(sa.Column("cancel_reason", sa.String(length=16), nullable=True))
        batch.create_check_constraint("cancel_reason_known", "cancel_reason IN ('numero_released')")
        batch.create_check_constraint(
            "cancel_reason_only_when_cancelled",
            "cancel_reason IS NULL OR (status = 'cancelled' AND cancelled_at IS NOT NULL)",
        )
    op.create_index(
        "ix_booking_released",
        "booking",
        ["cancelled_at"],
        unique=False,
        sqlite_where=sa.text("cancel_reason IS NOT NULL"),
        postgresql_where=sa.text("cancel_reason IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_booking_released", table_name="booking")
    with op.batch_alter_table("booking") as batch:
        batch.drop_constraint("cancel_reason_only_when_cancelled", type_="check")
        batch.drop_constraint("cancel_reason_known", type_="check")
        batch.drop_column("cancel_reason")
