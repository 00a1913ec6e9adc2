"""described requirements' labels without "(due …)"

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 12:00:00

The label of a described requirement carried its first deadline ("Texas APRN (due Mar 31,
2027)"), which went stale once a recurring one moved to its next cycle: status, reminders
and the audit PDF then named two deadlines. Labels are now the name alone; the views say
the current deadline. Names that become equal within one clinician's licences are
numbered ("My requirement", "My requirement 2"), as new ones are.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_DUE_SUFFIX = re.compile(r"\s*\(due [A-Z][a-z]{2} \d{1,2}, \d{4}\)$")


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, clinician_id, label, custom_rule FROM licences ORDER BY id")
    ).all()
    taken: dict[int, set[str]] = defaultdict(set)
    dated = []
    for row in rows:
        if _described(row.custom_rule) and _DUE_SUFFIX.search(row.label or ""):
            dated.append(row)
        else:
            taken[row.clinician_id].add(row.label)
    for row in dated:
        base = _DUE_SUFFIX.sub("", row.label) or "My requirement"
        label, number = base, 1
        while label in taken[row.clinician_id]:
            number += 1
            label = f"{base} {number}"
        taken[row.clinician_id].add(label)
        bind.execute(
            sa.text("UPDATE licences SET label = :label WHERE id = :id"),
            {"label": label[:128], "id": row.id},
        )


def _described(custom_rule: object) -> bool:
    """Whether the raw column holds a rule: JSON text on SQLite ("null" for none)."""
    if isinstance(custom_rule, str):
        custom_rule = json.loads(custom_rule)
    return bool(custom_rule)


def downgrade() -> None:
    """Nothing to undo: a label without its date reads the same to older code."""
