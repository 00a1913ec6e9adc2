"""the ACPE activity number (UAN) of a credit entry

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09 12:00:00

A pharmacist's audit asks for each activity's Universal Activity Number
(``0204-0000-26-045-H05-P``). No column fitted it (an entry has a title and a provider,
nothing for a reference number), so ``uan`` is new. Entries saved before it keep NULL:
no number is guessed from their titles.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE (nullable, no default): no table copy on SQLite.
    op.add_column("credit_entries", sa.Column("uan", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_entries", schema=None) as batch_op:
        batch_op.drop_column("uan")
