"""course topic index

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 20:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_BACKFILL = {
    "sqlite": "INSERT INTO course_topics (topic, course_id, geo_cell, starts_at) "
    "SELECT DISTINCT t.value, c.id, c.geo_cell, c.starts_at "
    "FROM courses AS c, json_each(c.topics) AS t",
    "postgresql": "INSERT INTO course_topics (topic, course_id, geo_cell, starts_at) "
    "SELECT DISTINCT t, c.id, c.geo_cell, c.starts_at "
    "FROM courses AS c, jsonb_array_elements_text(c.topics) AS t",
}


def upgrade() -> None:
    op.create_table(
        "course_topics",
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("geo_cell", sa.Integer(), nullable=True),
        sa.Column("starts_at", bot.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_topics_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("topic", "course_id", name=op.f("pk_course_topics")),
    )
    op.create_index(op.f("ix_course_topics_course_id"), "course_topics", ["course_id"])
    op.create_index(
        "ix_course_topics_topic_cell_start", "course_topics", ["topic", "geo_cell", "starts_at"]
    )
    op.execute(_BACKFILL[op.get_bind().dialect.name])


def downgrade() -> None:
    op.drop_index("ix_course_topics_topic_cell_start", table_name="course_topics")
    op.drop_index(op.f("ix_course_topics_course_id"), table_name="course_topics")
    op.drop_table("course_topics")
