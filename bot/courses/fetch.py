"""Getting a catalogue's bytes from a path or a URL, politely and within limits.

Conditional requests (ETag / Last-Modified) make a scheduled refresh of an unchanged feed
cost one 304; a size cap stops a runaway download; 5xx answers and timeouts are retried
with exponential backoff; an HTML page served instead of data is an error, not a CSV.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bot.courses.parsers import ParseError, detect_kind

MAX_BYTES = 5 * 1024 * 1024
ATTEMPTS = 3
BACKOFF_SECONDS = 0.5
MAX_RETRY_AFTER = 30.0
TIMEOUT_SECONDS = 20.0
USER_AGENT = "cme-bot course import (+https://github.com/cme-bot)"
ACCEPT = "text/csv, text/calendar, application/json, application/ld+json;q=0.9, */*;q=0.5"

Sleep = Callable[[float], Awaitable[None]]
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


class FetchError(Exception):
    """Nothing could be fetched; the message is one line for the operator."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How much to read, how long to wait per request, and how often to try."""

    max_bytes: int = MAX_BYTES
    attempts: int = ATTEMPTS
    backoff: float = BACKOFF_SECONDS
    request_timeout: float = TIMEOUT_SECONDS
    setting: str | None = None  # the setting that sets max_bytes, named when it refuses

    def too_big(self, subject: str) -> str:
        """ "x.csv is 8.0 MB, more than the 5.0 MB limit (COURSE_FILE_MAX_MB: …)" """
        message = f"{subject}, more than the {_mb(self.max_bytes)} limit"
        if self.setting:
            message += f" ({self.setting}: raise it, or split the catalogue)"
        return message


@dataclass(frozen=True, slots=True)
class FeedState:
    """Validators from the last successful fetch, sent back to ask "changed since?"."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a fetch produced: content and its kind, or "not modified" (``content`` None)."""

    source: str
    content: bytes | None
    kind: str | None
    state: FeedState
    not_modified: bool = False


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


async def fetch(
    source: str,
    *,
    client: httpx.AsyncClient | None = None,
    state: FeedState | None = None,
    limits: Limits = Limits(),
    sleep: Sleep = asyncio.sleep,
) -> Fetched:
    """Fetch a catalogue from a local path or an http(s) URL; raises :class:`FetchError`.

    ``sleep`` is injectable so tests of the retry backoff do not wait.
    """
    if not source.strip():  # QA: "" was read as the current folder, ". is a directory"
        raise FetchError("no file or URL given")
    scheme = _SCHEME.match(source)
    if scheme and scheme.group(1).lower() not in ("http", "https", "file"):
        raise FetchError(  # QA: ftp://x/y.csv was "no such file: ftp:/x/y.csv"
            f"{scheme.group(1)}:// is not supported: give an http:// or https:// URL, "
            "or a file on this machine"
        )
    if not is_url(source):
        name, content = await asyncio.to_thread(_read_file, source, limits)
        return Fetched(source, content, _kind(content, name, None), FeedState())
    if client is not None:
        return await _fetch_url(source, client, state, limits, sleep)
    async with httpx.AsyncClient(follow_redirects=True) as own:
        return await _fetch_url(source, own, state, limits, sleep)


def _read_file(source: str, limits: Limits) -> tuple[str, bytes]:
    path = Path(source.removeprefix("file://")).expanduser()
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limits.max_bytes:
                raise FetchError(limits.too_big(f"{path.name} is {_mb(size)}"))
            content = fh.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise FetchError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise FetchError(f"{path} is a directory, not a file") from None
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(content) > limits.max_bytes:  # it grew while being read
        raise FetchError(limits.too_big(f"{path.name} grew while read"))
    return path.name, content


def _kind(content: bytes, name: str, content_type: str | None) -> str:
    try:
        return detect_kind(content, name=name, content_type=content_type)
    except ParseError as exc:
        raise FetchError(str(exc)) from None


async def _fetch_url(
    url: str,
    client: httpx.AsyncClient,
    state: FeedState | None,
    limits: Limits,
    sleep: Sleep,
) -> Fetched:
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if state and state.etag:
        headers["If-None-Match"] = state.etag
    if state and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    host = urlsplit(url).hostname or url
    problem = ""
    attempts, timeout = limits.attempts, limits.request_timeout
    for attempt in range(1, attempts + 1):
        delay = limits.backoff * 2 ** (attempt - 1)
        try:
            async with client.stream("GET", url, headers=headers, timeout=timeout) as response:
                if response.status_code == 304:
                    return Fetched(url, None, None, _state(response, state), not_modified=True)
                if response.status_code >= 500 or response.status_code == 429:
                    problem = f"HTTP {response.status_code} from {host}"
                    delay = max(delay, _retry_after(response))
                elif response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code} from {host} for {url}")
                else:
                    content = await _read_body(response, limits, host)
                    content_type = response.headers.get("content-type")
                    kind = _kind(content, urlsplit(str(response.url)).path, content_type)
                    return Fetched(url, content, kind, _state(response, None))
        except httpx.TimeoutException:
            problem = f"{host} did not answer within {timeout:g} s"
        except httpx.TransportError as exc:
            problem = f"cannot reach {host}: {_first_line(exc)}"
        if attempt < attempts:
            await sleep(delay)
    raise FetchError(f"{problem} (tried {attempts} times)")


async def _read_body(response: httpx.Response, limits: Limits, host: str) -> bytes:
    """The body, refusing HTML pages and stopping as soon as it exceeds ``max_bytes``."""
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        raise FetchError(f"{host} sent an HTML page, not a course catalogue (a login page?)")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(limits.too_big(f"{host} sent {_mb(int(declared))}"))
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > limits.max_bytes:
            raise FetchError(limits.too_big(f"{host} kept sending (reading stopped)"))
        chunks.append(chunk)
    return b"".join(chunks)


def _state(response: httpx.Response, previous: FeedState | None) -> FeedState:
    """Validators to send next time (a 304 may omit them: keep the previous ones)."""
    etag = response.headers.get("etag") or (previous.etag if previous else None)
    modified = response.headers.get("last-modified") or (
        previous.last_modified if previous else None
    )
    return FeedState(etag, modified)


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("retry-after", "")
    try:
        return min(float(value), MAX_RETRY_AFTER)
    except ValueError:
        return 0.0


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]
