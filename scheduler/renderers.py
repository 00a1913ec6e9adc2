"""Reminder texts, rendered at send time from the data as it is then ("render late").

A renderer returns None when there is nothing to say any more (the licence was
completed since, the course was unsubscribed): the dispatcher then drops the row.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.courses.values import safe_url
from bot.domain.credit_types import LicenceStatus
from bot.domain.credits import SHORTFALL_NOTICE_DAYS
from bot.domain.custom_requirements import CustomRequirementSpec, next_window_deadline
from bot.domain.requirements import RuleBook
from bot.store import credits as credit_store
from bot.store.courses import is_all_day, venue_zone
from bot.store.models import Clinician, Course, CourseSubscription, Licence, ReminderOutbox
from bot.tracking import credit_item, load_views, views_for_items
from bot.views import (
    WEEK,
    asks_only_one_time,
    credits_amount,
    day,
    mandate_gaps,
    next_cycle_said,
    number,
    open_licence_verdicts,
    shortfall_said,
    still_needed,
    unit_word,
    weekly_pace_shown,
)
from handlers.callbacks import encode
from scheduler.dispatcher import Renderer
from scheduler.messages import SUPERSEDED, Rendered, Superseded
from scheduler.planner import (
    BACK_FROM_PAUSE,
    MAKEUP_MARK,
    SNOOZE_MARK,
    is_follow_up,
    resumes_at,
)
from scheduler.repeats import series_of


async def render_notice(
    session: AsyncSession, row: ReminderOutbox, clinician: Clinician, now: datetime
) -> Rendered | None:
    """A fixed text queued earlier (announcements, course changes): sent as it was written."""
    text = (row.payload or {}).get("text")
    return Rendered(text) if isinstance(text, str) and text else None


def renewal_buttons(licence_id: int, days_left: int, deadline: date) -> InlineKeyboardMarkup:
    """Snoozes that end before the last day (QA: "Snooze 1 week" the day before it; round
    11: "Snooze 1 day" on the due day). Each names the deadline it is about: pressed after
    that has passed, it snoozes nothing of the next cycle."""
    about = deadline.toordinal()
    offered = ((texts.SNOOZE_DAY, 1, days_left >= 1), (texts.SNOOZE_WEEK, WEEK, days_left > WEEK))
    snoozes = [
        InlineKeyboardButton(label, callback_data=encode("snz", licence_id, days, about))
        for label, days, shown in offered
        if shown
    ]
    return InlineKeyboardMarkup(
        [
            *([snoozes] if snoozes else []),
            [
                InlineKeyboardButton(texts.STATUS_COURSES_BUTTON, callback_data=encode("gaps")),
                InlineKeyboardButton(
                    texts.STOP_REMINDERS, callback_data=encode("mute", licence_id)
                ),
            ],
        ]
    )


def make_renewal_renderer(rulebook: RuleBook) -> Renderer:
    async def render_renewal(
        session: AsyncSession, row: ReminderOutbox, clinician: Clinician, now: datetime
    ) -> Rendered | Superseded | None:
        licence = await _remindable_licence(session, row, clinician)
        if licence is None:
            return None
        series = await series_of(session, row, clinician, now)
        if series.newer_due:
            return SUPERSEDED
        status = await _status_now(session, clinician, licence, now, rulebook)
        if status is None or status.complete:
            return None
        if not _about_the_make_up(row.dedupe_key) and (
            status.makeup_until is not None or _after_its_deadline(row.dedupe_key, clinician, now)
        ):
            # A step before the deadline, sent late: the day-after note says it (QA: "due
            # today (Sep 30)" came on Oct 1, beside "the deadline has passed").
            return None
        if _snoozed_for(row.dedupe_key) not in (None, status.deadline):
            # Its cycle has ended (QA round 11: "renews in 728 days", "Still needed: 80").
            return None
        # What the remaining credits must include: category minimums still short (QA:
        # "Still needed: 2.5 credits" hid that they must be Category 1) and mandates.
        short = [(c.label, c.remaining) for c in status.categories if c.remaining > 0]
        gaps = [
            texts.REMINDER_GAP.format(
                hours=number(hours), unit=unit_word(hours, status.unit), topic=html.escape(title)
            )
            for title, hours in [*short, *mandate_gaps(status)]
        ]
        remaining, remaining_unit = still_needed(status)  # ABIM: "1 activity", not "0 points"
        values = {
            "label": html.escape(licence.label),
            "deadline": day(status.deadline),
            "remaining": remaining,
            "gaps": texts.REMINDER_GAPS.format(gaps="; ".join(gaps)) if gaps else "",
            "days": status.days_left,
            "pace": number(status.weekly_pace),
            "unit": remaining_unit,
            "units": unit_word(status.weekly_pace, status.unit),  # "1 hour a week" (QA round 12)
        }
        if status.makeup_until is not None:
            values["until"] = day(status.makeup_until)
        template = (
            texts.REMINDER_MAKEUP if status.makeup_until is not None
            else texts.REMINDER_RENEWAL_TODAY if status.days_left <= 0
            else texts.REMINDER_RENEWAL_TOMORROW if status.days_left == 1
            else texts.REMINDER_RENEWAL_SOON if not weekly_pace_shown(status)
            else texts.REMINDER_RENEWAL
        )  # fmt: skip
        last_day = status.makeup_until or status.deadline  # a make-up window's end, if any
        days_to_last = (last_day - now.astimezone(ZoneInfo(clinician.timezone)).date()).days
        return Rendered(
            template.format(**values),
            renewal_buttons(licence.id, days_to_last, status.deadline),
            supersedes=series.repeats,
        )

    return render_renewal


def _after_its_deadline(key: str, clinician: Clinician, now: datetime) -> bool:
    """The clinician's day is past the deadline this ladder step was planned for (keys
    read ``clinician:renewal:licence:<deadline>:d<days>``)."""
    try:
        deadline = date.fromisoformat(key.split(":")[3])
    except (IndexError, ValueError):
        return False  # not a key this code wrote: judged by the status alone
    return now.astimezone(ZoneInfo(clinician.timezone)).date() > deadline


def _snoozed_for(key: str) -> date | None:
    """The deadline a snooze was about (``…:renewal:<licence>:<deadline>:snooze:<day>``);
    None for a ladder step."""
    if SNOOZE_MARK not in key:
        return None
    try:
        return date.fromisoformat(key.split(":")[3])
    except (IndexError, ValueError):
        return None


def _about_the_make_up(key: str) -> bool:
    """A make-up window's ladder step, or a snooze (the clinician's own)."""
    return MAKEUP_MARK in key or SNOOZE_MARK in key


async def _status_now(
    session: AsyncSession, clinician: Clinician, licence: Licence, now: datetime, rulebook: RuleBook
) -> LicenceStatus | None:
    """One licence's status on the clinician's day, as a reminder is sent (render late)."""
    today = now.astimezone(ZoneInfo(clinician.timezone)).date()
    items = [credit_item(row) for row in await credit_store.credit_rows(session, clinician)]
    return views_for_items(clinician, [licence], items, today, rulebook)[0].status


async def _remindable_licence(
    session: AsyncSession, row: ReminderOutbox, clinician: Clinician
) -> Licence | None:
    """The row's licence while reminders about it are wanted: the clinician's own, not
    muted, reminders not paused (a snooze row outlives the pause that cancelled the rest)."""
    licence = await session.get(Licence, row.target_id) if row.target_id else None
    if licence is None or licence.clinician_id != clinician.id or licence.reminders_muted:
        return None
    if clinician.reminders_paused or _paused_then(row, clinician):
        return None
    return licence


def _paused_then(row: ReminderOutbox, clinician: Clinician) -> bool:
    """Due before a pause until a day ends (a snooze the pause's re-plan left in place)."""
    resume = resumes_at(clinician)
    return resume is not None and row.due_at < resume


def make_back_from_pause_renderer(rulebook: RuleBook) -> Renderer:
    async def render_back_from_pause(
        session: AsyncSession, row: ReminderOutbox, clinician: Clinician, now: datetime
    ) -> Rendered | None:
        """The day a pause until a day ends: where each open licence stands, since the
        reminders that fell in the pause were not sent. Nothing when the pause changed
        since (resumed early, paused until another day, or with no end)."""
        ended = clinician.reminders_paused_until
        if clinician.reminders_paused or ended is None:
            return None
        if (row.payload or {}).get("day") != ended.isoformat():
            return None
        today = now.astimezone(ZoneInfo(clinician.timezone)).date()
        lines = open_licence_verdicts(await load_views(session, clinician, today, rulebook), today)
        if not lines:
            return None
        heading = texts.REMINDERS_BACK_FROM_PAUSE.format(day=day(ended))
        return Rendered("\n".join([heading, *lines]))

    return render_back_from_pause


def make_complete_renderer(rulebook: RuleBook) -> Renderer:
    async def render_complete(
        session: AsyncSession, row: ReminderOutbox, clinician: Clinician, now: datetime
    ) -> Rendered | None:
        licence = await session.get(Licence, row.target_id) if row.target_id else None
        if licence is None or licence.clinician_id != clinician.id:
            return None
        status = await _status_now(session, clinician, licence, now, rulebook)
        if status is None or not status.complete:
            return None  # an entry was removed since: not complete after all
        return Rendered(
            texts.REMINDER_COMPLETE.format(
                label=html.escape(licence.label),
                deadline=day(status.deadline),
            )
        )

    return render_complete


def make_cycle_end_renderer(rulebook: RuleBook) -> Renderer:
    async def render_cycle_end(
        session: AsyncSession, row: ReminderOutbox, clinician: Clinician, now: datetime
    ) -> Rendered | None:
        """The day after a deadline: how that cycle ended and what the next one asks."""
        licence = await _remindable_licence(session, row, clinician)
        if licence is None:
            return None
        try:
            ended = date.fromisoformat(str((row.payload or {}).get("deadline")))
        except ValueError:
            return None
        today = now.astimezone(ZoneInfo(clinician.timezone)).date()
        if (today - ended).days > SHORTFALL_NOTICE_DAYS:
            # Past the days a status still weighs the ended cycle: "complete ✅" could no
            # longer be told from short (review: a cycle 44.5 credits short was announced
            # complete after a long jump of the clock).
            return None
        status = await _status_now(session, clinician, licence, now, rulebook)
        if status is None:
            return None
        if licence.custom_rule and status.deadline == ended:
            spec = CustomRequirementSpec.from_dict(licence.custom_rule)
            if spec.every_months is None:
                return one_window_ended(licence, spec, status)
        text = cycle_end_text(html.escape(licence.label), ended, status)
        return Rendered(text) if text else None

    return render_cycle_end


def one_window_ended(
    licence: Licence, spec: CustomRequirementSpec, status: LicenceStatus
) -> Rendered:
    """A described requirement without "every N years" has one window: once its deadline
    passes, ask whether it comes back (QA round 9: a Georgia licence described this way
    went quiet after its deadline, its status "complete" a year later)."""
    if status.complete:
        how = texts.ONE_WINDOW_ENDED_COMPLETE
    else:
        short, unit = still_needed(status)
        how = texts.ONE_WINDOW_ENDED_SHORT.format(short=short, unit=unit)
    following = next_window_deadline(spec)
    text = "\n".join([
        texts.ONE_WINDOW_ENDED.format(
            label=html.escape(licence.label),
            deadline=day(spec.deadline),
            how=how,
        ),
        texts.ONE_WINDOW_ASK.format(length=window_length(spec.months), next=day(following)),
    ])  # fmt: skip
    buttons = InlineKeyboardMarkup([
        [InlineKeyboardButton(
            texts.ONE_WINDOW_AGAIN.format(next=day(following)),
            callback_data=encode("lic", "again", licence.id, spec.deadline.isoformat()),
        )],
        [InlineKeyboardButton(texts.ONE_WINDOW_OTHER_DATE,
                              callback_data=encode("lic", "date", licence.id)),
         InlineKeyboardButton(texts.ONE_WINDOW_REMOVE,
                              callback_data=encode("lic", "del", licence.id))],
    ])  # fmt: skip
    return Rendered(text, buttons)


def window_length(months: int) -> str:
    """ "2 years", "18 months", "1 month"."""
    if months % 12 == 0:
        years = months // 12
        return f"{years} year" if years == 1 else f"{years} years"
    return f"{months} month" if months == 1 else f"{months} months"


def cycle_end_text(label: str, ended: date, status: LicenceStatus) -> str | None:
    """How the cycle due ``ended`` closed, and the next one, from today's status (None
    when the status is no longer about either: the renewal date was changed since)."""
    unit = status.unit
    if status.deadline == ended:  # still that cycle: in its make-up window, or no next one
        if status.complete:
            return None
        short = status.hours_needed
        values = {"label": label, "deadline": day(ended), "short": number(short),
                  "unit": unit_word(short, unit)}  # fmt: skip
        if status.makeup_until:
            return texts.CYCLE_ENDED_MAKEUP.format(**values, until=day(status.makeup_until))
        return texts.CYCLE_ENDED_SHORT.format(**values)
    if status.previous_deadline != ended:
        return None
    shortfall = status.previous_shortfall
    if shortfall is not None and asks_only_one_time(status):
        # A one-time training part-logged is not a cycle "short, still owed": it stays open
        # into the next cycle, as the next sentence says (QA round 13, DEA).
        head = texts.CYCLE_CLOSED_ONE_TIME.format(label=label, deadline=day(ended))
    elif shortfall is not None:
        short, short_unit = shortfall_said(shortfall, unit)
        head = texts.CYCLE_CLOSED_SHORT.format(
            label=label, deadline=day(ended), short=short, unit=short_unit
        )
    elif not status.previous_logged:
        # Nothing was logged here for it: complete or short is unknown (QA round 9: an
        # ABIM cycle with nothing logged was announced "complete ✅").
        head = texts.CYCLE_CLOSED_UNKNOWN.format(label=label, deadline=day(ended))
    else:
        head = texts.CYCLE_CLOSED.format(label=label, deadline=day(ended))
    return f"{head}\n{next_cycle_said(status)}"


async def render_course(
    session: AsyncSession, row: ReminderOutbox, clinician: Clinician, now: datetime
) -> Rendered | Superseded | None:
    if clinician.reminders_paused or _paused_then(row, clinician):
        return None
    course = await session.get(Course, row.target_id) if row.target_id else None
    follow_up = is_follow_up(row)
    if course is None or course.status != "active" or (course.starts_at <= now and not follow_up):
        return None
    subscribed = await session.scalar(
        select(CourseSubscription.id).where(
            CourseSubscription.clinician_id == clinician.id,
            CourseSubscription.course_id == course.id,
        )
    )
    if subscribed is None:
        return None
    tz = ZoneInfo(clinician.timezone)
    if follow_up:
        return await _follow_up(session, course, clinician, tz)
    series = await series_of(session, row, clinician, now)
    if series.newer_due:  # the day-before one, caught up with the hour-before
        return SUPERSEDED
    if is_all_day(course):  # its days are the venue's, whatever the clinician's clock
        first = course.starts_at.astimezone(venue_zone(course)).date()
        when = _on_day(first, now.astimezone(tz).date())
        local = texts.REMINDER_COURSE_ALL_DAY.format(day=f"{first:%a %b %-d}")
    else:
        when = course_when(course.starts_at, now, tz)
        local = f"{course.starts_at.astimezone(tz):%a %b %-d, %H:%M %Z}"
        venue = venue_zone(course)
        if course.latitude is not None and venue.key != tz.key:  # QA: home time only
            local += texts.REMINDER_COURSE_VENUE_TIME.format(
                local=f"{course.starts_at.astimezone(venue):%H:%M %Z}"
            )
    where = (
        texts.REMINDER_COURSE_ONLINE
        if course.latitude is None
        else texts.REMINDER_COURSE_WHERE.format(
            place=html.escape(", ".join(p for p in (course.venue, course.city) if p))
        )
    )
    return Rendered(
        texts.REMINDER_COURSE.format(
            title=html.escape(course.title),
            when=when,
            local=local,
            where=where,
        ),
        course_buttons(course),
        supersedes=series.repeats,
    )


async def _follow_up(
    session: AsyncSession, course: Course, clinician: Clinician, tz: ZoneInfo
) -> Rendered | None:
    """ "How was it?" with a button that proposes the course's credits as a log; nothing
    when an entry of that title and day is logged already."""
    ended = course.ends_at.astimezone(tz).date()
    if await credit_store.find_duplicate(
        session, clinician, title=course.title, completed_on=ended
    ):
        return None
    amount = credits_amount(course.credits, course.category)
    return Rendered(
        texts.REMINDER_COURSE_FOLLOW_UP.format(title=html.escape(course.title), amount=amount),
        InlineKeyboardMarkup(
            [[InlineKeyboardButton(texts.REMINDER_COURSE_LOG.format(amount=amount),
                                   callback_data=encode("cdl", course.id))]]
        ),
    )  # fmt: skip


def course_buttons(course: Course) -> InlineKeyboardMarkup:
    """The course's page (the joining link of an online course is usually there) and its
    details in the chat: the reminder alone left the clinician searching for either."""
    details = encode("cd", course.id)
    row = [InlineKeyboardButton(texts.REMINDER_COURSE_DETAILS, callback_data=details)]
    url = safe_url(course.registration_url)
    if url:
        host = urlsplit(url).hostname or url
        row.insert(0, InlineKeyboardButton(texts.REMINDER_COURSE_PAGE.format(host=host), url=url))
    return InlineKeyboardMarkup([row])


def course_when(starts_at: datetime, now: datetime, tz: ZoneInfo) -> str:
    """ "in 40 minutes", "today", "tomorrow" or "on Sat Jan 2", by the local calendar (a
    reminder moved to 07:00 by quiet hours for a 23:30 course must not say "tomorrow")."""
    minutes = max(1, round((starts_at - now).total_seconds() / 60))
    if minutes <= 90:
        return texts.REMINDER_COURSE_IN_MINUTES.format(minutes=minutes)
    if minutes <= 3 * 60:  # "in 104 minutes" makes the reader divide
        hours, rest = divmod(minutes, 60)
        hour_words = texts.REMINDER_COURSE_HOURS[hours > 1].format(hours=hours)
        if not rest:
            return texts.REMINDER_COURSE_IN.format(span=hour_words)
        return texts.REMINDER_COURSE_IN.format(
            span=texts.REMINDER_COURSE_HOURS_MINUTES.format(hours=hour_words, minutes=rest)
        )
    return _on_day(starts_at.astimezone(tz).date(), now.astimezone(tz).date())


def _on_day(day: date, today: date) -> str:
    days = (day - today).days
    if days == 0:
        return texts.REMINDER_COURSE_TODAY
    if days == 1:
        return texts.REMINDER_COURSE_TOMORROW
    return texts.REMINDER_COURSE_ON.format(day=f"{day:%a %b %-d}")


def default_renderers(rulebook: RuleBook) -> dict[str, Renderer]:
    return {
        "notice": render_notice,
        "renewal": make_renewal_renderer(rulebook),
        "complete": make_complete_renderer(rulebook),
        BACK_FROM_PAUSE: make_back_from_pause_renderer(rulebook),
        "cycle_end": make_cycle_end_renderer(rulebook),
        "course": render_course,
    }
