"""outbox index for planning by clinician

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 08:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_reminder_outbox_owner_status_due",
        "reminder_outbox",
        ["clinician_id", "status", "due_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_reminder_outbox_owner_status_due", table_name="reminder_outbox")
