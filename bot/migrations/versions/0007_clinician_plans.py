"""periodic planner digests

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clinician_plans",
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("inputs_digest", sa.String(length=32), nullable=False),
        sa.Column("planned_at", bot.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["clinicians.id"],
            name=op.f("fk_clinician_plans_clinician_id_clinicians"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("clinician_id", name=op.f("pk_clinician_plans")),
    )


def downgrade() -> None:
    op.drop_table("clinician_plans")
