"""Where a contact's language comes from: nothing yet, read from their messages, or chosen by
them (a choice sticks; a guess follows the person when they switch).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "channel_contacts", sa.Column("language_source", sa.String(length=8), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("channel_contacts") as batch:
        batch.drop_column("language_source")
