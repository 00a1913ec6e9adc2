"""the parts of one activity logged as several entries, linked

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 12:00:00

"18 contact hours including 6 pharmacology" is saved as two entries (12 hours, and 6 on
pharmacology). /undo found the parts by title, day and the moment they were saved;
``group_id`` (the id of the activity's first part) now links them. Entries saved before
this keep NULL and the old matching: nothing is guessed into the new column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE (nullable, no default): no table copy on SQLite.
    op.add_column("credit_entries", sa.Column("group_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.drop_column("group_id")
