"""Parsing the loose values catalogues contain ("$1,250", "2.5 AMA PRA Cat 1", "3/5/2027 8 AM").

Every function either returns a clean value or raises :class:`ValueProblem` with a
sentence a catalogue editor can act on; none of them guesses silently.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.places import US_STATE_NAMES


class ValueProblem(ValueError):
    """A value that cannot be used; the message is shown to whoever fixes the catalogue."""


NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+")
_DECIMAL_COMMA = re.compile(r"(?<![\d,.])(\d+),(\d{1,2})(?![\d,.])")  # "1,5" = 1.5 in Europe
_CURRENCY_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "C$": "CAD", "CA$": "CAD"}
_CURRENCY_CODE = re.compile(r"\b([A-Z]{3})\b")
_FREE_WORDS = frozenset({"free", "no charge", "complimentary", "no cost", "none"})
_TZ_ALIASES = {
    "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "eastern": "America/New_York", "ct": "America/Chicago", "cst": "America/Chicago",
    "cdt": "America/Chicago", "central": "America/Chicago", "mt": "America/Denver",
    "mst": "America/Denver", "mdt": "America/Denver", "mountain": "America/Denver",
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles", "akst": "America/Anchorage", "alaska": "America/Anchorage",
    "hst": "Pacific/Honolulu", "hawaii": "Pacific/Honolulu", "utc": "UTC", "gmt": "UTC", "z": "UTC",
}  # fmt: skip
_COUNTRY_ALIASES = {
    "us": "US", "usa": "US", "u s": "US", "u s a": "US", "united states": "US",
    "united states of america": "US", "america": "US", "canada": "CA", "ca": "CA",
    "mexico": "MX", "united kingdom": "GB", "uk": "GB", "great britain": "GB",
}  # fmt: skip
_STATE_BY_NAME = {name.lower(): code for code, name in US_STATE_NAMES.items()}
_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y",
                 "%B %d %Y", "%b %d %Y", "%d-%b-%Y", "%d-%B-%Y", "%Y-%m-%d")  # fmt: skip
_TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I %p", "%I:%M%p", "%I%p", "%I:%M:%S %p")
_AM_PM = re.compile(r"\b([ap])\.\s?m\.?(?!\w)", re.I)  # "9:00 a.m." → "9:00 AM"
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY = re.compile(
    r"(mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday|rs|s)?\.?,?\s+", re.I
)
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_SERIAL_RANGE = (36526, 73051)  # 2000-01-01 .. 2100-01-01
_EXCEL_EPOCH = datetime(1899, 12, 30)


def is_blank(value: object) -> bool:
    """None, empty or whitespace-only: the cell was left empty."""
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object) -> str | None:
    """A single-line string with whitespace collapsed, or None when blank."""
    if is_blank(value):
        return None
    return " ".join(str(value).split())


def parse_decimal(value: object, what: str) -> Decimal:
    """The first number in ``value`` ("2.5 credits", "1,250") as a Decimal."""
    if isinstance(value, bool | dict | list | tuple | set):  # JSON {"credits": {"x": 3}}
        raise ValueProblem(f"{what} is not a number: {value!r}")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueProblem(f"{what} is not a finite number: {value!r}")
        return Decimal(str(value))
    raw = str(value)
    raw = _DECIMAL_COMMA.sub(r"\1.\2", raw, count=1)
    match = NUMBER.search(raw)
    if match is None:
        raise ValueProblem(f"{what} is not a number: {raw.strip()!r}")
    try:
        return Decimal(match.group().replace(",", ""))
    except InvalidOperation:
        raise ValueProblem(f"{what} is not a number: {raw.strip()!r}") from None


def parse_float(value: object, what: str) -> float:
    """A finite float ("42.36", 42.36); anything else is a problem."""
    if isinstance(value, bool | dict | list | tuple | set):  # JSON {"credits": {"x": 3}}
        raise ValueProblem(f"{what} is not a number: {value!r}")
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueProblem(f"{what} is not a number: {str(value).strip()!r}") from None
    if not math.isfinite(number):
        raise ValueProblem(f"{what} is not a finite number: {value!r}")
    return number


def parse_price(value: object, currency: object = None) -> tuple[Decimal, str]:
    """``(amount, ISO currency)`` from "$250", "250 USD", "Free", 99.5 (USD when unsaid)."""
    code = text(currency)
    if isinstance(value, str):
        raw = value.strip()
        if raw.lower() in _FREE_WORDS:
            return Decimal(0), (code or "USD").upper()
        for symbol in sorted(_CURRENCY_SYMBOLS, key=len, reverse=True):
            if symbol in raw:
                code = code or _CURRENCY_SYMBOLS[symbol]
                break
        if code is None and (found := _CURRENCY_CODE.search(raw.upper())):
            code = found.group(1)
        if raw.startswith("-") or re.match(r"^[^\d]*-\s*\d", raw):
            raise ValueProblem(f"price is negative: {raw!r}")
    amount = parse_decimal(value, "price")
    if amount < 0:
        raise ValueProblem(f"price is negative: {amount}")
    code = (code or "USD").upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueProblem(f"currency must be a 3-letter ISO code like USD, not {code!r}")
    return amount, code


def parse_timezone(value: object) -> str:
    """An IANA zone name ("America/Chicago"), also from common US abbreviations ("CT")."""
    raw = str(value).strip()
    alias = _TZ_ALIASES.get(raw.lower().replace(" time", "").strip())
    name = alias or raw
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueProblem(
            f"unknown time zone {raw!r} (use an IANA name like America/Chicago)"
        ) from None
    return name


def parse_when(value: object, what: str) -> tuple[datetime, bool]:
    """A datetime (naive = local, or aware) and whether only a date was given.

    Accepts ISO 8601 ("2027-03-05T08:00-05:00", "2027-03-05 08:00", "2027-03-05"),
    US style ("03/05/2027 8:00 AM", "3/5/2027 9:00 a.m. EST"), month names ("March 5,
    2027 8:00", "Jan 19 2027 6:00 PM", "15-Jan-2027", "Friday, January 15, 2027").
    Slashed dates are month first; anything else is refused, never guessed.
    """
    if isinstance(value, datetime):
        return value, False
    if isinstance(value, date):
        return datetime.combine(value, time()), True
    raw = " ".join(str(value).split())
    if not raw:
        raise ValueProblem(f"{what} is empty")
    iso = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
    if parsed is not None:
        date_only = len(raw) <= 10 and "T" not in raw and ":" not in raw
        return parsed, date_only
    return _spreadsheet_when(raw, what)


def _spreadsheet_when(raw: str, what: str) -> tuple[datetime, bool]:
    """The forms spreadsheets and registration systems write (QA round 9)."""
    rest, weekday = _without_weekday(raw)
    rest, zone = _without_zone(rest)
    rest = _AM_PM.sub(lambda m: m.group(1).upper() + "M", rest)
    for fmt in _DATE_FORMATS:
        for time_fmt in (None, *_TIME_FORMATS):
            full = f"{fmt} {time_fmt}" if time_fmt else fmt
            try:
                parsed = datetime.strptime(rest.upper() if "%p" in full else rest, full)
            except ValueError:
                continue
            if weekday is not None and parsed.weekday() != weekday:
                raise ValueProblem(
                    f"{what} {raw!r}: {parsed:%B} {parsed.day}, {parsed.year} is a "
                    f"{parsed:%A}, not a {_WEEKDAY_NAMES[weekday]}"
                )
            return (parsed.replace(tzinfo=zone) if zone else parsed), not time_fmt
    raise ValueProblem(f"{what} is not a date/time I can read: {raw!r} (use 2027-03-05 08:00)")


def _without_weekday(raw: str) -> tuple[str, int | None]:
    """ "Friday, January 15, 2027" → ("January 15, 2027", 4): the day is checked, not dropped."""
    match = _WEEKDAY.match(raw)
    if match is None:
        return raw, None
    return raw[match.end() :], _WEEKDAYS[match.group(1).lower()[:3]]


def _without_zone(raw: str) -> tuple[str, ZoneInfo | None]:
    """ "1/15/2027 9:00 AM EST" → the time and America/New_York; others unchanged."""
    head, _, word = raw.rpartition(" ")
    alias = _TZ_ALIASES.get(word.lower()) if head and word.isalpha() else None
    return (head, ZoneInfo(alias)) if alias else (raw, None)


def zone_named_in(value: object) -> str | None:
    """The IANA zone a date/time text ends with ("…9:00 AM CST"), if any."""
    if not isinstance(value, str):
        return None
    _, zone = _without_zone(" ".join(value.split()))
    return zone.key if zone else None


def parse_clock(value: object, what: str) -> time:
    """A time of day ("12:00 PM", "17:30", "9 a.m.") for an end time without a date."""
    raw = _AM_PM.sub(lambda m: m.group(1).upper() + "M", " ".join(str(value).split()))
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(raw.upper() if "%p" in fmt else raw, fmt).time()
        except ValueError:
            continue
    raise ValueProblem(f"{what} is not a time I can read: {raw!r} (use 17:00 or 5:00 PM)")


def excel_date(value: str) -> str | None:
    """An Excel date serial ("46402.375") as ISO text, when it falls in 2000-2099.

    Only for a date column (the caller knows): there, a bare number is a spreadsheet's
    day count since 1899-12-30 that was exported unformatted (QA round 9).
    """
    raw = value.strip()
    if not _SERIAL.fullmatch(raw) or not _SERIAL_RANGE[0] <= float(raw) < _SERIAL_RANGE[1]:
        return None
    moment = _EXCEL_EPOCH + timedelta(minutes=round(float(raw) * 24 * 60))
    return moment.date().isoformat() if "." not in raw else moment.isoformat(timespec="minutes")


def parse_url(value: object) -> str:
    """An absolute http(s) URL with a host, at most 500 characters."""
    raw = str(value).strip()
    parts = urlsplit(raw)
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or not host
        or any(c.isspace() for c in raw)
        or ("." not in host and host != "localhost")
    ):
        raise ValueProblem(f"registration URL is not a valid http(s) link: {raw[:80]!r}")
    if len(raw) > 500:
        raise ValueProblem("registration URL is longer than 500 characters")
    return raw


def safe_url(url: str | None) -> str | None:
    """Only http(s) links are shown as links (a ``javascript:`` URL is not a link)."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def parse_country(value: object) -> str:
    """ISO 3166 alpha-2 ("US") from "US", "USA", "United States"..."""
    raw = text(value) or ""
    key = re.sub(r"[^a-z ]", " ", raw.lower())
    key = " ".join(key.split())
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    if re.fullmatch(r"[A-Za-z]{2}", raw):
        return raw.upper()
    raise ValueProblem(f"country must be a 2-letter code like US, not {raw!r}")


def normalize_region(value: object) -> str | None:
    """US states as their postal code ("Massachusetts" → "MA"); other regions as given."""
    raw = text(value)
    if raw is None:
        return None
    if raw.upper() in US_STATE_NAMES:
        return raw.upper()
    return _STATE_BY_NAME.get(raw.lower(), raw)


_US_ZIP = re.compile(r"(\d{5})(?:-?\d{4})?")


def us_zip(value: object) -> str | None:
    """The 5-digit ZIP of "02139", "02139-4307", or "2139" (a spreadsheet drops the
    leading zero of New England ZIPs); None for anything else."""
    raw = (text(value) or "").removesuffix(".0")
    if re.fullmatch(r"\d{4}", raw):
        raw = "0" + raw
    match = _US_ZIP.fullmatch(raw)
    return match.group(1) if match else None


def is_us_state(region: str | None) -> bool:
    return region is not None and region in US_STATE_NAMES


def split_list(value: object) -> list[str]:
    """Items of a list cell: a real list, or text split on , ; | and newlines."""
    if is_blank(value):
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [t for item in value if (t := text(item))]
    return [t for part in re.split(r"[,;|\n]", str(value)) if (t := text(part))]
