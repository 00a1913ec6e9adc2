"""How the bot talks HTTP to the Bot API: python-telegram-bot's request interface on aiohttp.

PTB sends through httpx by default. Measured against the local sandbox (``Bot.send_message``,
16 at a time, 4,000 in a row, bench/bench_transport.py): on httpx a call costs 1.7-2.2 ms
of bot CPU (440-590 calls/s on one core), on this client 0.54-0.65 ms (1,530-1,830/s).
Every reply, reminder and ``getUpdates`` is such a call, so the transport sets the
ceiling for the whole bot. PTB supports other transports through
:class:`telegram.request.BaseRequest`; this is one, with the same error mapping as its
``HTTPXRequest`` (timeouts -> ``TimedOut``, connection failures -> ``NetworkError``).
``BOT_API_CLIENT=httpx`` switches back to PTB's own.
"""

from __future__ import annotations

import functools
import json
import ssl
from typing import Any, Literal

import aiohttp
import certifi
from aiohttp.helpers import get_env_proxy_for_url
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from yarl import URL

Client = Literal["aiohttp", "httpx"]


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The same CA bundle as httpx (certifi), whatever the system store holds; made once per
    process: loading it takes ~35 ms, and a bot start opened three (a third of an e2e
    test's set-up)."""
    return ssl.create_default_context(cafile=certifi.where())


class AiohttpRequest(BaseRequest):
    """PTB's request interface on one ``aiohttp.ClientSession`` (keep-alive pool).

    aiohttp has no write timeout: ``write_timeout`` is accepted as PTB passes it, and only
    an upload's (``media_write_timeout`` by default) counts, added to its read timeout.
    """

    def __init__(
        self,
        *,
        connection_pool_size: int = 8,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[URL | None, aiohttp.BasicAuth | None]] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            tls = tls_context()
            # No trust_env: it would look up netrc and the proxy variables in a thread on
            # every request (0.1 ms each); proxies are resolved once per origin instead
            # (_proxy_for). The Bot API sets no cookies.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=tls),
                cookie_jar=aiohttp.DummyCookieJar(),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        headers = {"User-Agent": self.USER_AGENT}
        body: Any = None
        if files:
            body = _form(request_data.json_parameters if request_data else {}, files)
        elif request_data is not None:
            # A JSON body, as the Bot API accepts: json.dumps runs in C, where form encoding
            # percent-quotes every byte in Python (0.5 ms for a 3 KB status reply).
            body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, files)
        proxy, proxy_auth = self._proxy_for(url)
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout,
                proxy=proxy, proxy_auth=proxy_auth,
            ) as response:  # fmt: skip
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's timeouts subclass it
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err

    def _proxy_for(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """HTTPS_PROXY / HTTP_PROXY / NO_PROXY for this URL's origin, looked up once."""
        origin = "/".join(url.split("/", 3)[:3])
        found = self._proxies.get(origin)
        if found is None:
            try:
                found = get_env_proxy_for_url(URL(origin))
            except LookupError:
                found = (None, None)
            self._proxies[origin] = found
        return found

    def _timeout(
        self,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
        files: object,
    ) -> aiohttp.ClientTimeout:
        """An upload's write time may pass before the first answer byte, so it is added to
        the read timeout; plain calls are sent in one packet."""
        read = self._read_timeout if isinstance(read, DefaultValue) else read
        connect = self._connect_timeout if isinstance(connect, DefaultValue) else connect
        pool = self._pool_timeout if isinstance(pool, DefaultValue) else pool
        if files and read is not None:
            write = self._media_write_timeout if isinstance(write, DefaultValue) else write
            read = None if write is None else read + write
        waiting = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(
            total=None, connect=waiting, sock_connect=connect, sock_read=read
        )


def _form(fields: dict[str, str], files: dict[str, Any]) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


def bot_api_request(client: Client, *, pool: int, **timeouts: float | None) -> BaseRequest:
    """A request object for Bot API calls on the configured client library."""
    if client == "httpx":
        return HTTPXRequest(connection_pool_size=pool, **timeouts)
    return AiohttpRequest(connection_pool_size=pool, **timeouts)
