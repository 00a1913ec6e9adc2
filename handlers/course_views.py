"""Courses as chat text (HTML) and as an iCalendar file; the sentences live in bot/texts.py.

Every catalogue string is escaped here: imported files come from outside, and a title
like ``<b>Free!</b>`` must show as typed, not break the message.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot import texts
from bot.courses.records import ONLINE_FORMATS
from bot.courses.values import safe_url
from bot.domain import geo, topics
from bot.store.courses import is_all_day, venue_zone
from bot.store.models import Course
from bot.views import credits_amount, day, number
from handlers.course_query import CourseQuery

TITLE_IN_BUTTON = 40


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _day(local: datetime, now: datetime) -> str:
    """ "Tue Dec 8" (with the year only when it is not this year where ``local`` is)."""
    year = f", {local.year}" if local.year != now.astimezone(local.tzinfo).year else ""
    return f"{local:%a %b %-d}{year}"


def moment(value: datetime, tz: ZoneInfo, now: datetime) -> str:
    """ "Tue Dec 8, 9:00 AM EST" (the year only when it is not this year)."""
    local = value.astimezone(tz)
    return f"{_day(local, now)}, {local:%-I:%M %p %Z}"


def when_text(course: Course, tz: ZoneInfo, now: datetime) -> str:
    """Start (and last day for multi-day courses) in the clinician's time zone, and the
    venue's clock too when an in-person course is in another zone (9:00 AM EST is 8:00
    AM in Houston, where the clinician will be). A course given only dates shows its days
    on the venue's calendar: "Thu Dec 10 (all day)", not 9:00 PM the day before."""
    venue = venue_zone(course)
    all_day = is_all_day(course)
    shown_in = venue if all_day else tz
    start, end = course.starts_at.astimezone(shown_in), course.ends_at.astimezone(shown_in)
    text = _day(start, now) if all_day else moment(course.starts_at, tz, now)
    if end.date() != start.date():
        text += f" – {end:%a %b %-d}"
    if all_day:
        return text + texts.COURSE_ALL_DAY
    if not is_online(course) and venue.key != tz.key:
        local = course.starts_at.astimezone(venue)
        text += texts.COURSE_DETAIL_TIMEZONE.format(local=f"{local:%-I:%M %p %Z}")
    return text


def is_online(course: Course) -> bool:
    return course.format in ONLINE_FORMATS or course.latitude is None


def price_text(course: Course) -> str:
    if course.price is None:
        return texts.COURSE_PRICE_UNKNOWN
    if course.price == 0:
        return texts.COURSE_PRICE_FREE
    amount = f"{course.price:,.2f}".removesuffix(".00")
    currency = (course.currency or "USD").upper()
    return f"${amount}" if currency == "USD" else f"{amount} {esc(currency)}"


def place_text(course: Course) -> str:
    city = ", ".join(p for p in (course.city, course.region) if p)
    return esc(", ".join(p for p in (course.venue, city) if p) or course.address or "")


def _in_unit(km: float, unit: str) -> float:
    return km if unit == "km" else km / geo.KM_PER_MILE


def distance_text(km: float, unit: str) -> str:
    value = _in_unit(km, unit)
    if value < 0.1:
        return "&lt; 0.1"  # HTML: this text goes into the message as is
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _distance_part(course: Course, km: float, unit: str) -> str:
    """ " · 4.7 mi", or for a course placed at its city's centre (the catalogue gave no
    venue position) a rounded figure that says so (QA: shown as if exact)."""
    if not course.city_located:
        return texts.COURSE_ITEM_DISTANCE.format(distance=distance_text(km, unit), unit=unit)
    value = _in_unit(km, unit)
    if value < 1:
        return texts.COURSE_ITEM_SAME_CITY
    return texts.COURSE_ITEM_DISTANCE_CITY.format(distance=round(value), unit=unit)


def category_name(category: str) -> str:
    """ "AMA PRA Category 1" (the label without a trailing "Credit": the line says credits)."""
    return re.sub(r"\s+credits?$", "", topics.category_label(category), flags=re.IGNORECASE)


def topic_names(ids: list[str] | tuple[str, ...], limit: int = 3) -> str:
    return ", ".join(esc(topics.label(t)) for t in list(ids)[:limit])


def course_lines(
    n: int,
    course: Course,
    distance_km: float | None,
    unit: str,
    tz: ZoneInfo,
    now: datetime,
    more_dates: int = 0,
    *,
    with_end: bool = False,
) -> list[str]:
    """One course in a result list: title, when (and how many more dates of its series
    matched; when it ends, for its details), where, credits and topics, price."""
    lines = [texts.COURSE_ITEM_TITLE.format(n=n, title=esc(course.title))]
    if course.status == "cancelled":
        lines.append(texts.COURSE_CANCELLED)
    if course.format == "on_demand":
        # Days on the provider's calendar: "until Jun 30, 12:59 AM EDT" was their 23:59
        # Pacific shown in the clinician's zone; one opening later read "Thu Dec 31, 11:00
        # PM CST – Fri Dec 31" (QA round 9), as if a one-day event.
        venue = venue_zone(course)
        until = f"{course.ends_at.astimezone(venue):%a %b %-d, %Y}"
        if course.starts_at <= now:
            lines.append(texts.COURSE_ITEM_ON_DEMAND.format(until=until))
        else:
            start = f"{course.starts_at.astimezone(venue):%a %b %-d, %Y}"
            lines.append(texts.COURSE_ITEM_ON_DEMAND_FROM.format(start=start, until=until))
    else:
        lines.append(texts.COURSE_ITEM_WHEN.format(when=when_text(course, tz, now)))
        if with_end and not is_all_day(course):  # QA: only the calendar file said it
            start, end = course.starts_at.astimezone(tz), course.ends_at.astimezone(tz)
            ends = f"{end:%-I:%M %p %Z}" if end.date() == start.date() else moment(end, tz, now)
            lines.append(texts.COURSE_DETAIL_ENDS.format(end=ends))
    if more_dates:
        lines.append(texts.COURSE_ITEM_MORE_DATES[more_dates > 1].format(count=more_dates))
    if is_online(course):
        label = texts.COURSE_FORMATS.get(course.format, texts.COURSE_FORMATS["live_online"])
        lines.append(texts.COURSE_ITEM_ONLINE.format(format=label))
    else:
        where = texts.COURSE_ITEM_PLACE.format(place=place_text(course))
        if distance_km is not None:
            where += _distance_part(course, distance_km, unit)
        if course.format == "hybrid":
            where += texts.COURSE_ITEM_HYBRID
        lines.append(where)
    # In the category's own unit: "2 contact hours (ANCC …)", not "2 credits" (QA round 9).
    credits = texts.COURSE_ITEM_AMOUNT.format(
        amount=credits_amount(course.credits, course.category),
        category=esc(category_name(course.category)),
    )
    if course.topics:
        credits += texts.COURSE_ITEM_TOPICS.format(topics=topic_names(course.topics))
    lines.append(credits)
    lines.append(texts.COURSE_ITEM_PRICE.format(price=price_text(course)))
    return lines


@dataclass(frozen=True, slots=True)
class Deadline:
    """A licence's current deadline and label, and what counts toward it, for
    :func:`after_deadline_line`."""

    when: date
    label: str
    categories: frozenset[str] | None = None  # what its total takes (None: any credit)
    has_total: bool = True
    mandate_topics: frozenset[str] = frozenset()  # what it asks when it has no total

    def counts(self, course: Course) -> bool:
        """Whether the course would count toward this licence at all (QA round 13: a DEA
        registration was named under an implicit-bias course)."""
        if not topics.qualifies(course.category, self.categories):
            return False
        covered = topics.expand(frozenset(course.topics or ()))
        return self.has_total or not covered.isdisjoint(self.mandate_topics)


def after_deadline_line(course: Course, deadlines: list[Deadline], tz: ZoneInfo) -> str | None:
    """Which licences' deadlines a course begins after (QA: "courses near …" listed one
    after the renewal date without a word; it would not count for this cycle)."""
    starts = course.starts_at.astimezone(tz).date()
    missed = [d for d in deadlines if d.when < starts and d.counts(course)]
    if not missed:
        return None
    which = " and ".join(
        texts.COURSE_ITEM_DEADLINE.format(label=esc(d.label), deadline=day(d.when))
        for d in missed[:2]
    )
    return texts.COURSE_ITEM_AFTER_DEADLINE.format(which=which)


def button_title(n: int, course: Course) -> str:
    title = " ".join(course.title.split())
    if len(title) > TITLE_IN_BUTTON:
        title = title[: TITLE_IN_BUTTON - 1].rstrip() + "…"
    return texts.COURSES_DETAILS_BUTTON.format(n=n, title=title)


def header(query: CourseQuery, place_name: str | None, tz: ZoneInfo, now: datetime) -> str:
    """What was searched, in one line: place and radius, dates, topics, budget."""
    if place_name:
        text = texts.COURSES_HEADER_NEAR.format(
            place=esc(place_name),
            radius=query.radius,
            unit=query.unit,
            online=texts.COURSES_HEADER_ONLINE_TOO if query.online else "",
        )
    else:
        text = texts.COURSES_HEADER_ONLINE
    if query.start or query.end:
        text += texts.COURSES_HEADER_DATES.format(dates=date_range(query, now.astimezone(tz)))
    if query.topics:
        text += texts.COURSES_HEADER_TOPICS.format(topics=topic_names(query.topics, 3))
    if query.max_price == 0:
        text += texts.COURSES_HEADER_FREE
    elif query.max_price is not None:
        text += texts.COURSES_HEADER_PRICE.format(price=f"${query.max_price:,}")
    return text


def date_range(query: CourseQuery, local_now: datetime) -> str:
    start = query.start or local_now.date()
    if query.end is None:
        return f"from {start:%b %-d, %Y}"
    if start == query.end:
        return f"{start:%a %b %-d, %Y}"
    if start.year == query.end.year:
        return f"{start:%b %-d} – {query.end:%b %-d, %Y}"
    return f"{start:%b %-d, %Y} – {query.end:%b %-d, %Y}"


def detail_text(course: Course, tz: ZoneInfo, now: datetime) -> str:
    """Everything about one course: the list entry plus provider, address, link, description."""
    lines = course_lines(1, course, None, "mi", tz, now, with_end=True)
    lines[0] = f"<b>{esc(course.title)}</b>"
    if course.address and not is_online(course):
        lines.append(texts.COURSE_DETAIL_ADDRESS.format(address=esc(course.address)))
    if course.provider:
        lines.append(texts.COURSE_DETAIL_PROVIDER.format(provider=esc(course.provider)))
    if course.accreditation:
        lines.append(
            texts.COURSE_DETAIL_ACCREDITATION.format(accreditation=esc(course.accreditation))
        )
    url = safe_url(course.registration_url)
    if course.status == "cancelled":
        pass  # QA: a Register link under "Cancelled by the provider"
    elif url:
        host = urlsplit(url).hostname or url
        lines.append(texts.COURSE_DETAIL_REGISTER.format(url=esc(url), host=esc(host)))
    else:
        lines.append(texts.COURSE_DETAIL_NO_LINK)
    if course.description:
        description = " ".join(course.description.split())
        if len(description) > 1500:
            description = description[:1499] + "…"
        lines.append("")
        lines.append(esc(description))
    return "\n".join(lines)


def course_ics(course: Course, now: datetime) -> bytes:
    """An iCalendar file with the course as one event, in the venue's own time zone.

    DTSTART/DTEND carry a TZID (and a VTIMEZONE is included), so calendars show the
    right local time on both sides of a DST change; a course given only dates gets dates.
    """
    tz = venue_zone(course)
    calendar = Calendar()
    calendar.add("prodid", "-//cme-bot//courses//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"course-{course.id}@cme-bot")
    event.add("dtstamp", now.astimezone(UTC))
    start, end = course.starts_at.astimezone(tz), course.ends_at.astimezone(tz)
    if is_all_day(course):  # dates, so calendars show it as an all-day event
        event.add("dtstart", start.date())
        event.add("dtend", end.date() + timedelta(days=1))  # DTEND;VALUE=DATE is exclusive
    else:
        event.add("dtstart", start)
        event.add("dtend", end)
    event.add("summary", course.title)
    if not is_online(course):
        where = ", ".join(
            p for p in (course.venue, course.address, course.city, course.region) if p
        )
        if where:
            event.add("location", where)
        if course.latitude is not None and not course.city_located:  # a venue's own
            event.add("geo", (course.latitude, course.longitude))
    else:
        event.add("location", texts.COURSE_FORMATS.get(course.format, "Online"))
    url = safe_url(course.registration_url)
    if url:
        event.add("url", url)
    details = [
        f"{number(course.credits)} credits ({category_name(course.category)})",
        course.provider or "",
        url or "",
        course.description or "",
    ]
    event.add("description", "\n".join(d for d in details if d))
    event.add("status", "CANCELLED" if course.status == "cancelled" else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_name(course: Course) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", course.title).strip("-").lower()[:50] or "course"
    return f"{slug}.ics"
