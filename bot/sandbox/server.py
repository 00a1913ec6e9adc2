"""BotApiSandbox: a local stand-in for the Telegram Bot API that an unchanged PTB talks to.

Why: nobody can reach Telegram from the dev machines or CI; the sandbox is the end-to-end
test harness and the backend of ``cme-bot chat``. It answers ``POST /bot<token>/<method>``
and ``GET /file/bot<token>/<path>`` like Telegram, records what the bot sends, and can
misbehave on demand (flood limits, 5xx, dropped connections, blocked users).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from types import TracebackType
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.clock import Clock
from bot.sandbox import botmethods as _botmethods  # noqa: F401  (registers methods)
from bot.sandbox import messages as _messages  # noqa: F401  (registers methods)
from bot.sandbox import webhook as _webhook  # noqa: F401  (registers the webhook methods)
from bot.sandbox.incoming import SandboxCore
from bot.sandbox.limits import FaultInjector, RateLimiter
from bot.sandbox.params import Params
from bot.sandbox.records import ApiError
from bot.sandbox.registry import CANONICAL, MESSAGE_METHODS, METHODS
from bot.sandbox.serving import BackgroundServer
from bot.sandbox.user import SandboxUser
from bot.sandbox.webhook import WebhookPusher

log = logging.getLogger(__name__)
BLOCKED = "Forbidden: bot was blocked by the user"
_CHAT_SCOPED_PREFIXES = ("send", "edit", "delete")


def _error(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.payload(), status_code=exc.code)


class BotApiSandbox(SandboxCore):
    """The Bot API emulator; ``async with BotApiSandbox() as sandbox:`` starts and stops it.

    Flood limits (``sandbox.rate_limiter``), faults (``sandbox.faults``) and
    ``sandbox.blocked_chats`` can all be changed while it runs.
    """

    def __init__(
        self,
        token: str = "123456:SANDBOX",
        bot_username: str = "cme_sandbox_bot",
        bot_first_name: str = "CME Sandbox",
        *,
        clock: Clock | None = None,
        monotonic: Callable[[], float] | None = None,
        rate_limits: bool = False,
        rate_limiter: RateLimiter | None = None,
        faults: FaultInjector | None = None,
        nodelay: bool = True,
    ) -> None:
        kwargs: dict[str, Any] = {"clock": clock, "rate_limiter": rate_limiter, "faults": faults}
        if monotonic is not None:
            kwargs["monotonic"] = monotonic
        super().__init__(token, bot_username, bot_first_name, **kwargs)
        self.rate_limiter.enabled = self.rate_limiter.enabled or rate_limits
        self.nodelay = nodelay
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._handle_method, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._handle_file, methods=["GET"]),
                Route("/{rest:path}", self._not_found, methods=["GET", "POST"]),
            ]
        )
        self._http: BackgroundServer | None = None
        self._pusher = WebhookPusher(self)

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on ``host:port`` (0 picks a free port) from a task in the running loop."""
        if self._http is not None:
            raise RuntimeError("sandbox already started")
        self.closing = False
        self._http = BackgroundServer(self.app, host=host, port=port, nodelay=self.nodelay)
        await self._http.start()

    async def stop(self) -> None:
        """Release long polls, stop webhook delivery and shut the server down."""
        self.closing = True
        self.updates_signal.fire()
        await self._pusher.stop()
        if self._http is not None:
            await self._http.stop()
            self._http = None

    async def __aenter__(self) -> BotApiSandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        if self._http is None:
            raise RuntimeError("sandbox not started")
        return self._http.url

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``: PTB appends the token."""
        return f"{self.url}/file/bot"

    def webhook_changed(self) -> None:
        self._pusher.sync()

    # -- test-facing helpers --------------------------------------------------------------
    def user(
        self,
        user_id: int = 1001,
        first_name: str = "Ana",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> SandboxUser:
        """A clinician who chats with the bot in a private chat (registered now)."""
        self.add_user(user_id, first_name, last_name, username, language_code)
        return SandboxUser(self, user_id)

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: further sends to ``chat_id`` answer 403."""
        self.blocked_chats.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.blocked_chats.discard(chat_id)

    # -- HTTP -----------------------------------------------------------------------------
    async def _not_found(self, request: Request) -> Response:
        return _error(ApiError(404, "Not Found"))

    async def _handle_file(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        stored = self.file_by_path(request.path_params["file_path"])
        if stored is None:
            return _error(ApiError(404, "Not Found"))
        return Response(stored.data, media_type=stored.mime_type or "application/octet-stream")

    async def _handle_method(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        name = request.path_params["method"].lower()
        impl = METHODS.get(name)
        if impl is None:  # Telegram says 404 too; PTB reports it as InvalidToken
            self.stats.unknown_methods[request.path_params["method"]] += 1
            log.warning("sandbox: Bot API method %s is not emulated", request.path_params["method"])
            return _error(ApiError(404, "Not Found"))
        self.stats.requests[CANONICAL[name]] += 1
        try:
            params = Params.from_request(
                await request.body(), request.headers.get("content-type", ""), request.url.query
            )
            fault = self.faults.roll(name)
            if fault == "error":
                self.stats.faults["error"] += 1
                return _error(ApiError(502, "Bad Gateway"))
            if fault == "drop":
                self.stats.faults["drop"] += 1
                await self._drop(request)
                return Response(status_code=502)
            self._preflight(name, params)
            result = impl(self, params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return _error(exc)
        if fault == "drop_after":
            self.stats.faults["drop_after"] += 1
            await self._drop(request)
        return JSONResponse({"ok": True, "result": result})

    def _preflight(self, name: str, params: Params) -> None:
        """403 for blocked chats, 429 beyond the flood limits (message methods only)."""
        if not name.startswith(_CHAT_SCOPED_PREFIXES) or params.raw("chat_id") in (None, ""):
            return
        log = self.find_chat(params.raw("chat_id"))
        if log is None:
            return
        chat_id = int(log.chat["id"])
        if chat_id in self.blocked_chats:
            self.stats.forbidden += 1
            raise ApiError(403, BLOCKED)
        if name in MESSAGE_METHODS:
            try:
                self.rate_limiter.check(chat_id, log.is_group)
            except ApiError:
                self.stats.rate_limited += 1
                self.stats.rate_limited_by_chat[chat_id] += 1
                raise

    async def _drop(self, request: Request) -> None:
        client = request.scope.get("client")
        if self._http is not None and client:
            await self._http.abort((str(client[0]), int(client[1])))
