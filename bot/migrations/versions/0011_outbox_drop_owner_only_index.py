"""drop reminder_outbox's clinician_id index (its owner/status/due index starts with it)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 06:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every outbox row written paid for five indexes. ix_reminder_outbox_owner_status_due
    # (0005) begins with clinician_id, so it serves the owner lookups and the cascade on
    # a clinician's deletion this one served; the planner's first pass over 100,000
    # clinicians writes 800,000 rows.
    op.drop_index("ix_reminder_outbox_clinician_id", table_name="reminder_outbox")


def downgrade() -> None:
    op.create_index(
        "ix_reminder_outbox_clinician_id", "reminder_outbox", ["clinician_id"], unique=False
    )
