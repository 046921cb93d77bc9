"""The question last asked of a person, on their contact: who a bare OUI, NON, ANNULER or DOCS
answers (a waitlist offer, an appointment reminder, or the assistant).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "channel_contacts", sa.Column("pending_question", sa.String(length=16), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("channel_contacts") as batch:
        batch.drop_column("pending_question")
