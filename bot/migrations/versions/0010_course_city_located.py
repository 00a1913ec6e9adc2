"""courses located at their city's centre (no venue coordinates)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE, not batch mode: on SQLite that copies the table, and dropping
    # the old one cascades to course_topics (the search index would be emptied).
    op.add_column(
        "courses",
        sa.Column("city_located", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("city_located")
