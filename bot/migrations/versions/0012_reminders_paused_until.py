"""reminders paused until a day ("pause reminders until January 15")

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE (nullable, no default): no table copy on SQLite.
    op.add_column("clinicians", sa.Column("reminders_paused_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clinicians", schema=None) as batch_op:
        batch_op.drop_column("reminders_paused_until")
