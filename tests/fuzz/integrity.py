"""Database integrity checks shared by the fuzz suite and the fault drills.

SQLite gets its own ``PRAGMA integrity_check`` and ``foreign_key_check``; both
databases get the same orphan queries: rows whose owner, certificate or course is
gone, and links that cross owners (an entry pointing at someone else's certificate,
an open reminder about someone else's licence).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

OWNED_TABLES = (
    "licences",
    "certificates",
    "credit_entries",
    "course_subscriptions",
    "reminder_outbox",
)

ORPHAN_QUERIES: dict[str, str] = {
    **{
        f"{table} without their clinician": (
            f"SELECT count(*) FROM {table} t "
            "WHERE NOT EXISTS (SELECT 1 FROM clinicians c WHERE c.id = t.clinician_id)"
        )
        for table in OWNED_TABLES
    },
    "credit entries pointing at a missing certificate": (
        "SELECT count(*) FROM credit_entries e WHERE e.certificate_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.id = e.certificate_id)"
    ),
    "credit entries pointing at another clinician's certificate": (
        "SELECT count(*) FROM credit_entries e JOIN certificates c ON c.id = e.certificate_id "
        "WHERE c.clinician_id <> e.clinician_id"
    ),
    "subscriptions to a missing course": (
        "SELECT count(*) FROM course_subscriptions s "
        "WHERE NOT EXISTS (SELECT 1 FROM courses c WHERE c.id = s.course_id)"
    ),
    "open licence reminders about a licence that is gone or someone else's": (
        "SELECT count(*) FROM reminder_outbox r WHERE r.kind IN ('renewal', 'complete') "
        "AND r.status IN ('pending', 'claimed') AND r.target_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM licences l "
        "WHERE l.id = r.target_id AND l.clinician_id = r.clinician_id)"
    ),
    "duplicate clinicians for one Telegram user": (
        "SELECT count(*) FROM (SELECT telegram_id FROM clinicians "
        "GROUP BY telegram_id HAVING count(*) > 1) d"
    ),
}


async def integrity_problems(engine: AsyncEngine) -> list[str]:
    """Every integrity problem found, as readable lines (empty: all good)."""
    problems: list[str] = []
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            verdict = (await connection.exec_driver_sql("PRAGMA integrity_check")).scalars().all()
            if list(verdict) != ["ok"]:
                problems.append(f"PRAGMA integrity_check: {verdict}")
            broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
            if broken:
                problems.append(f"PRAGMA foreign_key_check: {broken[:10]}")
        for name, sql in ORPHAN_QUERIES.items():
            count = (await connection.execute(text(sql))).scalar_one()
            if count:
                problems.append(f"{count} {name}")
    return problems
