"""Reminder buttons (snooze, stop) and /reminders (what is next, ladder, quiet hours)."""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta

from telegram.ext import Application, CommandHandler

from bot import texts
from bot.domain.dates import is_impossible_date
from bot.domain.log_parse import clip_title
from bot.domain.reminders import (
    DEFAULT_COURSE_OFFSETS,
    MAX_PAUSE,
    QUIET_OFF_WORDS,
    QuietHours,
    move_out_of_quiet_hours,
    parse_ladder,
    parse_quiet_hours,
    pause_end,
)
from bot.store import licences as licence_store
from bot.store import outbox
from bot.store.models import Course, Licence, ReminderOutbox
from bot.views import day, open_licence_verdicts
from handlers import flows
from handlers.callbacks import Press, encode, route
from handlers.replan import replan
from handlers.status import views
from handlers.turn import Turn, clinician_handler
from scheduler.planner import (
    BACK_FROM_PAUSE,
    PLANNED_KINDS,
    SNOOZE_MARK,
    back_from_pause_key,
    course_plan,
    is_follow_up,
    quiet_hours,
    reminder_slots,
    resumes_at,
    snooze_step,
)

SNOOZE_DAYS = (1, 7)


@route("snz")
async def snooze(turn: Turn, press: Press) -> None:
    """Remind again in a day or a week (at this clinician's usual time of day)."""
    licence_id, days = press.int_arg(0), press.int_arg(1)
    licence = await licence_store.get(turn.session, turn.clinician, licence_id or 0)
    if licence is None or days not in SNOOZE_DAYS:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    view = next((v for v in await views(turn) if v.licence.id == licence.id), None)
    if view is None or view.status is None:
        turn.answer(texts.LICENCE_GONE)
        return
    about = press.int_arg(2)  # the deadline the reminder was about (older buttons: none)
    if about is not None and about != view.status.deadline.toordinal():
        # Its cycle has ended (QA round 11: pressed the day after, it snoozed into the next
        # cycle's "renews in 728 days").
        turn.say(texts.SNOOZE_CYCLE_ENDED.format(label=html.escape(licence.label)))
        return
    # Not past the deadline (or the make-up window's end): a snooze after it would say
    # "renews in N days" of a date gone.
    last_day = view.status.makeup_until or view.status.deadline
    target_day = min(turn.local_now.date() + timedelta(days=days), last_day)
    due = reminder_slots(turn.clinician)(target_day)
    ladder = await outbox.next_pending(
        turn.session, turn.clinician, "renewal", licence.id, turn.now
    )
    if ladder is not None and ladder.due_at.astimezone(turn.tz).date() <= target_day:
        due = ladder.due_at  # a ladder step comes by then anyway: one reminder, not two
    elif due <= turn.now:
        # On the deadline day after its slot: no later reminder can come (QA: it promised
        # one for a time already past).
        turn.say(texts.SNOOZE_NO_LATER.format(deadline=day(last_day)))
        return
    else:
        await outbox.upsert_planned(
            turn.session,
            [outbox.Planned(turn.clinician.id, "renewal", licence.id,
                            snooze_step(view.status.deadline, target_day), due)],
            turn.now,
        )  # fmt: skip
    # Said once, in the chat where it stays (QA: a toast said it too)
    turn.say(texts.SNOOZED.format(when=local_when(due, turn)))


@route("mute")
async def mute(turn: Turn, press: Press) -> None:
    """Stop renewal reminders for one licence (the status stays available)."""
    licence = await licence_store.get(turn.session, turn.clinician, press.int_arg(0) or 0)
    if licence is None:
        turn.answer(texts.LICENCE_GONE)
        return
    licence.reminders_muted = True
    await replan(turn)
    turn.say(texts.STOPPED.format(label=html.escape(licence.label)))


async def _describe(turn: Turn, row: outbox.ReminderOutbox) -> str:
    kind = "course_follow_up" if is_follow_up(row) else row.kind  # "did you attend? log it"
    template = texts.REMINDERS_WHAT.get(kind, "{label}")
    label = ""
    if row.kind in ("renewal", "complete", "cycle_end") and row.target_id:
        licence = await turn.session.get(Licence, row.target_id)
        label = licence.label if licence and licence.clinician_id == turn.clinician.id else ""
    elif row.kind == "course" and row.target_id:
        course = await turn.session.get(Course, row.target_id)
        label = course.title if course else ""
    return template.format(label=html.escape(label))


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def local_when(moment: datetime, turn: Turn) -> str:
    """ "Sat Jan 30, 10:50" in local time, with the year when it is not this one."""
    local = moment.astimezone(turn.tz)
    year = f" {local.year}" if local.year != turn.local_now.year else ""
    return f"{local:%a %b %-d}{year}, {local:%H:%M}"


def _quiet_line(turn: Turn) -> str:
    clinician = turn.clinician
    if clinician.quiet_start_min == clinician.quiet_end_min:
        return texts.REMINDERS_QUIET_OFF
    return texts.REMINDERS_QUIET.format(
        start=_hhmm(clinician.quiet_start_min), end=_hhmm(clinician.quiet_end_min),
        zone=html.escape(clinician.timezone),
    )  # fmt: skip


def course_subscribed_text(turn: Turn, course: Course) -> str:
    """What "Remind me" promises, from what the planner will actually schedule."""
    if turn.clinician.reminders_paused:
        return texts.COURSE_SUBSCRIBED_PAUSED
    planned = course_plan(course, turn.clinician, turn.now)
    if (resume := resumes_at(turn.clinician)) is not None:  # none before a timed pause ends
        if planned and all(p.due_at < resume for p in planned):
            return texts.COURSE_SUBSCRIBED_PAUSED_UNTIL.format(
                day=day(turn.clinician.reminders_paused_until or turn.local_now.date())
            )
        planned = [p for p in planned if p.due_at >= resume]
    if not planned:  # within the hour, or the last reminder would fall in quiet hours
        soon = course.starts_at - turn.now <= min(DEFAULT_COURSE_OFFSETS)
        return texts.COURSE_SUBSCRIBED_SOON if soon else texts.COURSE_SUBSCRIBED_NONE
    if all(course.starts_at - p.due_at == _COURSE_STEPS.get(p.step) for p in planned):
        promise = _COURSE_PROMISES.get(frozenset(p.step for p in planned))
        if promise:
            return promise
    times = " and ".join(local_when(p.due_at, turn) for p in planned)
    # With the zone: the popup is read on a phone that may be elsewhere (QA round 9).
    zone = planned[0].due_at.astimezone(turn.tz).strftime("%Z")
    return texts.COURSE_SUBSCRIBED_AT.format(times=f"{times} {zone}")


_COURSE_STEPS = {"d1": timedelta(days=1), "h1": timedelta(hours=1)}
_COURSE_PROMISES = {
    frozenset({"d1", "h1"}): texts.COURSE_SUBSCRIBED,
    frozenset({"d1"}): texts.COURSE_SUBSCRIBED_DAY,
    frozenset({"h1"}): texts.COURSE_SUBSCRIBED_HOUR,
}


async def _still_to_come(turn: Turn, rows: list[ReminderOutbox]) -> list[ReminderOutbox]:
    """Leave out renewal reminders about a licence already complete: sending renders them
    to nothing (QA round 9: a snoozed one stayed listed after the licence was done)."""
    if not any(row.kind == "renewal" for row in rows):
        return rows
    done = {view.licence.id for view in await views(turn) if view.status and view.status.complete}
    return [row for row in rows if not (row.kind == "renewal" and row.target_id in done)]


async def show(turn: Turn, *, edit: bool = False) -> None:
    clinician = turn.clinician
    lines = [texts.REMINDERS_HEADER]
    until = paused_until(turn)
    if clinician.reminders_paused:
        lines.append(texts.REMINDERS_PAUSED)
    elif until is not None:
        lines.append(texts.REMINDERS_PAUSED_UNTIL.format(day=day(until)))
    upcoming = await _still_to_come(turn, await outbox.upcoming_for(
        turn.session, clinician, turn.now, limit=8
    ))  # fmt: skip
    if upcoming:
        lines.append(texts.REMINDERS_NEXT)
        quiet = quiet_hours(clinician)
        for row in upcoming:
            # When it will come: a row due in quiet hours waits for them to end (QA round 9:
            # listed at 08:00 inside quiet hours to 12:00, and sent at 12:00).
            sent_at = move_out_of_quiet_hours(max(row.due_at, turn.now), turn.tz, quiet)
            when = local_when(sent_at, turn)
            lines.append(texts.REMINDERS_ITEM.format(when=when, what=await _describe(turn, row)))
    elif not clinician.reminders_paused:
        lines.append(texts.REMINDERS_NONE)
    ladder = clinician.reminder_ladder or ["180", "90", "60", "30", "14", "7", "1"]
    lines.append(texts.REMINDERS_LADDER.format(days=", ".join(str(d) for d in ladder)))
    lines.append(_quiet_line(turn))
    owned = await licence_store.list_for(turn.session, clinician)
    muted = [licence for licence in owned if licence.reminders_muted]
    if muted:
        lines.append(texts.REMINDERS_MUTED.format(
            labels=", ".join(html.escape(m.label) for m in muted)))  # fmt: skip
    pause = (
        (texts.REMINDERS_RESUME, encode("rem", "resume"))
        if clinician.reminders_paused or until is not None
        else (texts.REMINDERS_PAUSE, encode("rem", "pause"))
    )
    buttons = [
        [pause],
        [(texts.REMINDERS_SET_LADDER, encode("rem", "ladder")),
         (texts.REMINDERS_SET_QUIET, encode("rem", "quiet"))],
    ]  # fmt: skip
    buttons += [
        [(texts.REMINDERS_UNMUTE.format(label=clip_title(m.label, 30)),
          encode("rem", "unmute", m.id))]
        for m in muted
    ]
    if len(owned) > 1:  # one of several licences can go quiet (QA: only from a reminder)
        buttons += [
            [(texts.REMINDERS_MUTE.format(label=clip_title(m.label, 30)),
              encode("rem", "mute", m.id))]
            for m in owned
            if not m.reminders_muted
        ]
    (turn.edit if edit else turn.say)("\n".join(lines), buttons)


@clinician_handler
async def reminders_command(turn: Turn) -> None:
    """/reminders: what is next, in local time, and how to change it."""
    await show(turn)


async def pause_typed(turn: Turn, paused: bool) -> None:
    """ "stop reminders" / "resume reminders" typed: done, and the panel shows it with the
    button that undoes it (QA: "stop reminders" only opened the panel)."""
    await _set_paused(turn, paused)
    await show(turn)


def paused_until(turn: Turn) -> date | None:
    """The day reminders come again after a pause until a day still running, else None."""
    until = turn.clinician.reminders_paused_until
    return until if until is not None and until > turn.local_now.date() else None


async def pause_until_typed(turn: Turn, how: str, when: str) -> None:
    """ "pause reminders until January 15", "no reminders for 2 weeks": none before that
    day, and from it they come again by themselves (sandbox: "until Jan" was not
    understood). A renewal deadline inside the pause is pointed out."""
    today = turn.local_now.date()
    resume = pause_end(how, when, turn.now, turn.tz)
    if resume is None:
        shown = html.escape(when.strip()[:40])
        turn.say(
            texts.LICENCE_DATE_IMPOSSIBLE.format(text=shown) if is_impossible_date(when)
            else texts.PAUSE_UNTIL_UNREAD.format(text=shown)
        )  # fmt: skip
        return
    if resume <= today:
        turn.say(texts.PAUSE_UNTIL_PAST.format(day=day(resume)))
        return
    if resume - today > MAX_PAUSE:
        turn.say(texts.PAUSE_UNTIL_TOO_FAR)
        return
    clinician = turn.clinician
    clinician.reminders_paused = False
    clinician.reminders_paused_until = resume
    await _drop_back_from_pause(turn, keep=resume)
    await replan(turn)  # the plan leaves out what falls before the day; the rest is kept
    lines = [texts.PAUSE_UNTIL_SET.format(day=day(resume))]
    lines += [
        texts.PAUSE_UNTIL_DEADLINE.format(
            label=html.escape(view.licence.label), deadline=day(view.status.deadline)
        )
        for view in await views(turn)
        if view.status is not None and not view.status.complete
        and not view.licence.reminders_muted and today <= view.status.deadline < resume
    ]  # fmt: skip
    turn.say("\n".join(lines))
    await show(turn)


async def _set_paused(turn: Turn, paused: bool) -> None:
    """Pause with no end, or resume; either ends a pause until a day."""
    clinician = turn.clinician
    timed = clinician.reminders_paused_until is not None
    clinician.reminders_paused_until = None
    if timed:
        await _drop_back_from_pause(turn)
    if clinician.reminders_paused == paused:
        if timed:
            await replan(turn)
        return
    if paused:
        await outbox.cancel_for_pause(
            turn.session, clinician.id, turn.now, PLANNED_KINDS, keep_mark=SNOOZE_MARK
        )
    clinician.reminders_paused = paused
    await replan(turn)
    if not paused and (missed := await outbox.missed_while_paused(
        turn.session, clinician.id, turn.now
    )):  # fmt: skip
        await _say_missed(turn, missed)


async def _drop_back_from_pause(turn: Turn, keep: date | None = None) -> None:
    """The notes planned for the day a pause until a day ends, but ``keep``'s: those days
    no longer end a pause (the re-plan that follows revives ``keep``'s if it was dropped)."""
    await outbox.cancel_pending(
        turn.session, turn.clinician.id, turn.now, kinds=[BACK_FROM_PAUSE],
        keep_keys=[] if keep is None else [back_from_pause_key(turn.clinician.id, keep)],
        reason="pause changed",
    )  # fmt: skip


async def _say_missed(turn: Turn, missed: int) -> None:
    """What fell due during the pause is not sent late: where each open licence stands
    is said instead, so nothing due goes unmentioned."""
    lines = open_licence_verdicts(await views(turn), turn.local_now.date())
    if not lines:
        turn.say(texts.REMINDERS_MISSED_NOTHING_OPEN.format(count=_reminders(missed)))
        return
    turn.say("\n".join([texts.REMINDERS_MISSED.format(count=_reminders(missed)), *lines]))


def _reminders(count: int) -> str:
    return f"{count} reminder" if count == 1 else f"{count} reminders"


@route("rem")
async def reminders_pressed(turn: Turn, press: Press) -> None:
    action = press.arg(0)
    if action in ("pause", "resume"):
        await _set_paused(turn, action == "pause")
        await show(turn, edit=True)
    elif action in ("mute", "unmute"):
        licence = await licence_store.get(turn.session, turn.clinician, press.int_arg(1) or 0)
        if licence is None:
            turn.answer(texts.LICENCE_GONE)
            return
        licence.reminders_muted = action == "mute"
        await replan(turn)
        await show(turn, edit=True)
    elif action == "ladder":
        await flows.expect(turn, "reminder_ladder")
        turn.say(texts.REMINDERS_ASK_LADDER)
    elif action == "quiet":
        await flows.expect(turn, "reminder_quiet")
        turn.say(texts.REMINDERS_ASK_QUIET)
    elif action == "qset":
        start, end = press.int_arg(1), press.int_arg(2)
        try:
            quiet = QuietHours(start if start is not None else -1, end if end is not None else -1)
        except ValueError:
            turn.answer(texts.BUTTON_EXPIRED)
            return
        await _set_quiet(turn, quiet)
    else:
        turn.answer(texts.BUTTON_EXPIRED)


@flows.step("reminder_ladder")
async def ladder_answered(turn: Turn, text: str) -> None:
    days = parse_ladder(text)
    if days is None:
        turn.say(texts.REMINDERS_BAD_LADDER)
        return
    turn.clinician.reminder_ladder = [str(day) for day in days]
    await flows.clear(turn)
    await replan(turn)
    open_ones = [v.status for v in await views(turn) if v.status and not v.status.complete]
    if open_ones:  # QA round 7: "300" with 330 days to go was dropped without a word
        nearest = min(open_ones, key=lambda status: status.deadline)
        past = [str(d) for d in days if d > nearest.days_left]
        if past:
            # "the 90-day reminder starts", "the 90- and 60-day reminders start" (QA
            # round 10: "the 60, 30-day reminder comes")
            said = f"{past[0]}-day" if len(past) == 1 else (
                ", ".join(f"{d}-" for d in past[:-1]) + f" and {past[-1]}-day"
            )  # fmt: skip
            turn.say(texts.REMINDERS_LADDER_PAST.format(
                days=said, s="" if len(past) == 1 else "s", verb="s" if len(past) == 1 else "",
                deadline=day(nearest.deadline), left=nearest.days_left,
            ))  # fmt: skip
    await show(turn)


@flows.step("reminder_quiet")
async def quiet_answered(turn: Turn, text: str) -> None:
    quiet = parse_quiet_hours(text)
    if quiet is None:
        turn.say(texts.REMINDERS_BAD_QUIET)
        return
    if quiet.empty and text.strip().lower() not in QUIET_OFF_WORDS:
        turn.say(texts.REMINDERS_QUIET_NONE)  # "9am-9am": say why they are now off
    if not quiet.empty and (quiet.daytime_minutes < SHORTEST_DAY_MIN or _office_hours(quiet)):
        # QA: "7am-11pm" (the waking hours) was taken: every reminder came at 02:50; and
        # "9am to 5pm" (round 7) may mean "remind me only then".
        typed, flipped = (quiet.start_min, quiet.end_min), (quiet.end_min, quiet.start_min)
        turn.say(
            texts.REMINDERS_QUIET_CHECK.format(
                start=_hhmm(quiet.start_min), end=_hhmm(quiet.end_min),
            ),
            [[(texts.REMINDERS_QUIET_FLIP.format(start=_hhmm(flipped[0]), end=_hhmm(flipped[1])),
               encode("rem", "qset", *flipped))],
             [(texts.REMINDERS_QUIET_AS_TYPED.format(start=_hhmm(typed[0]), end=_hhmm(typed[1])),
               encode("rem", "qset", *typed))]],
        )  # fmt: skip
        return
    await _set_quiet(turn, quiet)


def _office_hours(quiet: QuietHours) -> bool:
    """Quiet hours inside the working day ("9am to 5pm"): meant as quiet, or as the only
    time for reminders? Asked, not guessed."""
    return 6 * 60 <= quiet.start_min < quiet.end_min <= 20 * 60


SHORTEST_DAY_MIN = 9 * 60
"""Quiet hours that leave less of the day than this are asked about before they apply
(21:00-08:00 leaves 13 hours; 07:00-23:00, typed as the waking hours, leaves 8)."""


async def _set_quiet(turn: Turn, quiet: QuietHours) -> None:
    turn.clinician.quiet_start_min, turn.clinician.quiet_end_min = quiet.start_min, quiet.end_min
    await flows.clear(turn)
    await replan(turn)
    await show(turn)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("reminders", reminders_command))
