"""The shared store: typed SQLAlchemy 2 models.

Times are UTC (:class:`UTCDateTime`); calendar facts that have no time of day
(completion dates, renewal dates) are plain ``Date`` columns. Everything a clinician
owns hangs off ``clinicians.id`` with ``ON DELETE CASCADE`` so ``/forget`` is one delete.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.store.types import Hundredths, JSONType, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention (Alembic batch mode needs names)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[str]: JSONType,
        Decimal: Hundredths(),
    }


def _owner_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("clinicians.id", ondelete="CASCADE"), index=True)


class Clinician(Base):
    """A Telegram user who uses the bot; the owner of everything else."""

    __tablename__ = "clinicians"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    first_name: Mapped[str] = mapped_column(String(128), default="")
    last_name: Mapped[str | None] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64))
    language_code: Mapped[str | None] = mapped_column(String(16))
    profession: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64))
    # Quiet hours as minutes after local midnight; start > end wraps midnight (21:00-08:00).
    quiet_start_min: Mapped[int] = mapped_column(SmallInteger, default=21 * 60)
    quiet_end_min: Mapped[int] = mapped_column(SmallInteger, default=8 * 60)
    birth_month: Mapped[int | None] = mapped_column(SmallInteger)
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    flags: Mapped[list[str]] = mapped_column(default=list)
    specialties: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    reminders_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Pause reminders until Jan 15": the local day they come again; none are planned
    # or sent before it, and nothing has to happen on the day for them to resume.
    reminders_paused_until: Mapped[date | None] = mapped_column(Date)
    reminder_ladder: Mapped[list[str] | None] = mapped_column(JSONType)
    # Multi-step chat state lives here, not in process memory, so any process can continue it.
    conversation: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    licences: Mapped[list[Licence]] = relationship(
        back_populates="clinician", cascade="all, delete-orphan", passive_deletes=True
    )


class ClinicianPlan(Base):
    """What the periodic planner last planned a clinician from (see scheduler.plan_digest)."""

    __tablename__ = "clinician_plans"

    clinician_id: Mapped[int] = mapped_column(
        ForeignKey("clinicians.id", ondelete="CASCADE"), primary_key=True
    )
    inputs_digest: Mapped[str] = mapped_column(String(32))
    planned_at: Mapped[datetime]


class Licence(Base):
    """A licence or certification whose renewal needs credits."""

    __tablename__ = "licences"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinician_id: Mapped[int] = _owner_fk()
    rule_id: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(128))
    jurisdiction: Mapped[str | None] = mapped_column(String(64))
    profession: Mapped[str | None] = mapped_column(String(32))
    number: Mapped[str | None] = mapped_column(String(64))
    issued_on: Mapped[date | None] = mapped_column(Date)
    renewal_date: Mapped[date | None] = mapped_column(Date)
    renewals_done: Mapped[int | None] = mapped_column(SmallInteger)
    flags: Mapped[list[str]] = mapped_column(default=list)
    custom_rule: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    reminders_muted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    clinician: Mapped[Clinician] = relationship(back_populates="licences")


class Certificate(Base):
    """An uploaded certificate file (PDF or photo) kept for audits."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinician_id: Mapped[int] = _owner_fk()
    file_name: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(128))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Bytes live here unless CERTIFICATES_DIR is set; then storage_path names the file.
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    storage_path: Mapped[str | None] = mapped_column(String(512))
    extracted_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class CreditEntry(Base):
    """Credits earned for one activity."""

    __tablename__ = "credit_entries"
    __table_args__ = (Index("ix_credit_entries_owner_date", "clinician_id", "completed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinicians.id", ondelete="CASCADE"))
    completed_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal]
    category: Mapped[str] = mapped_column(String(32))
    topics: Mapped[list[str]] = mapped_column(default=list)
    activity_type: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str | None] = mapped_column(String(200))
    certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(16), default="chat")
    created_at: Mapped[datetime]
    # "2 Category 1 credits and 2 MOC points" for one activity: two entries, the second
    # naming the first, so a requirement that accepts both counts the activity once.
    same_activity_as: Mapped[int | None] = mapped_column(Integer)
    # "18 contact hours including 6 pharmacology" for one activity: the rest and each part
    # are entries of their own (different hours, each counted), all carrying the id of the
    # first, so /undo and an edit treat them as one activity. NULL: not split, or saved
    # before the link (0014; those are found by title, day and the moment saved).
    group_id: Mapped[int | None] = mapped_column(Integer)
    # The ACPE Universal Activity Number ("0204-0000-26-045-H05-P"), kept for audits (0015).
    uan: Mapped[str | None] = mapped_column(String(32))


class Course(Base):
    """A course in the catalogue (modelled on ACCME's activity fields)."""

    __tablename__ = "courses"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_courses_source_source_id"),
        Index("ix_courses_cell_start", "geo_cell", "starts_at"),
        Index("ix_courses_start", "starts_at"),
        Index("ix_courses_format_start", "format", "starts_at"),  # hybrid: online searches
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str | None] = mapped_column(String(200))
    accreditation: Mapped[str | None] = mapped_column(String(200))
    credits: Mapped[Decimal]
    category: Mapped[str] = mapped_column(String(32))
    topics: Mapped[list[str]] = mapped_column(default=list)
    format: Mapped[str] = mapped_column(String(24))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    venue: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(2))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # The coordinates are the city's centre (the catalogue gave a city, no venue position):
    # distances are approximate and calendar files carry no GEO.
    city_located: Mapped[bool] = mapped_column(server_default=false())
    geo_cell: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    registration_url: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="active")
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Loaded only where the store keeps it in step with ``topics`` (upserts).
    topic_rows: Mapped[list[CourseTopic]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )


class CourseTopic(Base):
    """One topic a course is tagged with, with the course's cell and start copied.

    ``courses.topics`` stays the course's own list (what is shown and exported); this
    is its search index: ``(topic, geo_cell, starts_at)`` answers "ethics near Boston
    in May" and "ethics online" from one index range. Without it an online topic
    search read every open online course (three years of on-demand ones) to match the
    JSON text. The store rewrites a course's rows whenever topics, cell or start change.
    """

    __tablename__ = "course_topics"
    __table_args__ = (Index("ix_course_topics_topic_cell_start", "topic", "geo_cell", "starts_at"),)

    topic: Mapped[str] = mapped_column(String(64), primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    geo_cell: Mapped[int | None] = mapped_column(Integer)
    starts_at: Mapped[datetime]


class CourseSubscription(Base):
    """A clinician asked to be reminded about a course."""

    __tablename__ = "course_subscriptions"
    __table_args__ = (
        UniqueConstraint("clinician_id", "course_id", name="uq_course_subscriptions_owner_course"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinicians.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]


class ReminderOutbox(Base):
    """One message that should reach a clinician at ``due_at``: the durable queue."""

    __tablename__ = "reminder_outbox"
    __table_args__ = (
        Index("ix_reminder_outbox_status_due", "status", "due_at"),
        # The planner reads one batch of clinicians' open rows; without this SQLite walks
        # the status index over every pending row in the table.
        Index("ix_reminder_outbox_owner_status_due", "clinician_id", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: ix_reminder_outbox_owner_status_due begins with it (0011).
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinicians.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(Integer)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    lease_until: Mapped[datetime | None]
    leased_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None]
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CourseFeed(Base):
    """A course catalogue URL refreshed on a schedule, with what the last fetch saw.

    ``etag``/``last_modified`` make the next fetch conditional (304: nothing to do);
    ``last_error`` keeps a failing feed visible while its last good courses stay listed.
    """

    __tablename__ = "course_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(1000), unique=True)
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_checked_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
    courses_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """Update ids already taken by a webhook process: Telegram re-sends on slow answers."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(index=True)
