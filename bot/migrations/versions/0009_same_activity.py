"""credit entries of one activity logged in two kinds of credit

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 16:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("same_activity_as", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.drop_column("same_activity_as")
