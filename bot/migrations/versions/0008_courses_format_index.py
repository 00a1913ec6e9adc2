"""courses index by format and start, for hybrid courses in online searches

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 09:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_courses_format_start", "courses", ["format", "starts_at"])


def downgrade() -> None:
    op.drop_index("ix_courses_format_start", table_name="courses")
