"""Running the bot: checks that fail with one clear line, then polling or a webhook server.

Both modes stop cleanly on SIGTERM/SIGINT: stop taking updates, let in-flight handlers
and sends finish, release reminder leases, close the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from urllib.parse import urlparse

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import Conflict, TelegramError

from bot import texts
from bot.app import CMEApplication, build_application, settle_heap
from bot.config import Settings
from bot.errors import (
    EXIT_CONFIG,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    CliError,
    telegram_start_error,
)
from bot.polling import POLLER, ConflictWatch, PollerLock, Verdict
from bot.store import schema
from bot.store.db import create_engine

log = logging.getLogger(__name__)


def _require_token(settings: Settings) -> str:
    """The bot token, or a one-line usage error when it is missing."""
    if not settings.telegram_bot_token:
        raise CliError(
            "TELEGRAM_BOT_TOKEN is not set; get one from @BotFather, or try the bot "
            "locally with `cme-bot chat`",
            EXIT_USAGE,
        )
    return settings.telegram_bot_token


async def _check(settings: Settings) -> None:
    """The database is reachable and at this code's schema (migrated if AUTO_MIGRATE)."""
    engine = create_engine(settings.database_url)
    try:
        await schema.ready(engine, auto_migrate=settings.migrate_on_start)
    finally:
        await engine.dispose()


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    return stop


async def _start(
    app: CMEApplication, before: Callable[[CMEApplication], Awaitable[None]] | None = None
) -> None:
    """getMe, then ``before`` (checks that need the Bot API), then open the database and
    start the jobs."""
    try:
        await app.initialize()
        if before is not None:
            await before(app)
    except TelegramError as exc:
        await _close_requests(app)
        raise telegram_start_error(exc) from None
    except CliError:
        await _close_requests(app)
        raise
    if app.post_init:
        await app.post_init(app)
    await app.start()
    settle_heap()


async def _close_requests(app: CMEApplication) -> None:
    """A failed ``initialize`` (getMe) leaves the HTTP clients open: close them quietly."""
    await app.bot.request.shutdown()
    polling_request = app.bot_data.services.polling_request
    if polling_request is not None:
        await polling_request.shutdown()


async def _shutdown(app: CMEApplication) -> None:
    dispatcher = app.bot_data.services.dispatcher
    if dispatcher is not None:
        dispatcher.stop()  # finish the chunk in flight, claim nothing more
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()  # waits for in-flight handlers
    if app.post_stop:
        await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)


async def serve_polling(settings: Settings, *, take_over_webhook: bool = False) -> int:
    token = _require_token(settings)
    await _check(settings)
    lock = PollerLock(settings.database_url, token)
    try:
        granted = await lock.acquire()
    except (SQLAlchemyError, OSError) as exc:
        await lock.release()
        raise CliError(f"cannot take the poller lock: {exc}", EXIT_UNAVAILABLE) from None
    if not granted:
        raise CliError(ANOTHER_POLLER + " (its lock is held in the database)", EXIT_UNAVAILABLE)
    try:
        return await _poll(settings, lock, take_over_webhook=take_over_webhook)
    finally:
        await lock.release()
        if lock.announced:
            log.info("released the poller lock: this process no longer %s", POLLER.duty)
            log.info("stopped")


ANOTHER_POLLER = (
    "another process is already polling with this token; long polling cannot scale out: "
    "run one polling process, or several `cme-bot webhook` processes"
)


def _no_webhook(take_over: bool) -> Callable[[CMEApplication], Awaitable[None]]:
    """Refuse to poll while a webhook is set: PTB's start_polling deletes it without a
    word, and the webhook processes then get nothing (QA round 11)."""

    async def check(app: CMEApplication) -> None:
        info = await app.bot.get_webhook_info()
        if not info.url:
            return
        if not take_over:
            raise CliError(texts.POLL_WEBHOOK_SET.format(url=info.url), EXIT_CONFIG)
        log.warning(texts.POLL_WEBHOOK_TAKEN_OVER.format(url=info.url))

    return check


async def _webhook_url(app: CMEApplication) -> str:
    with contextlib.suppress(TelegramError, RuntimeError):
        return (await app.bot.get_webhook_info()).url or "gone again"
    return "unknown"


def _without_offset_cleanup(record: logging.LogRecord) -> bool:
    """On stop PTB confirms the last offset with one more getUpdates; with a webhook set
    that can only fail, and its traceback would bury the one line that says why."""
    return "one more time to mark all fetched updates" not in record.getMessage()


async def _poll(settings: Settings, lock: PollerLock, *, take_over_webhook: bool = False) -> int:
    app = build_application(settings)
    stop = _stop_event()
    verdict: list[Verdict] = []
    lock_lost = asyncio.Event()
    watch = ConflictWatch(settings.poll_conflict_seconds)

    async def watch_lock() -> None:
        while not stop.is_set():
            await asyncio.sleep(settings.poller_lock_check_seconds)
            if not await lock.still_held():
                log.error("another process took the poller lock (database restarted?): stopping")
                lock_lost.set()
                stop.set()

    def on_success() -> None:
        if watch.success():
            log.info(texts.POLL_CONFLICT_ENDED.format(quiet=watch.quiet))

    def on_poll_error(error: TelegramError) -> None:
        if not isinstance(error, Conflict):
            log.warning("polling error: %s", error)
            return
        seen = watch.conflict(error.message)
        if seen is Verdict.STARTED:
            reason = error.message.removeprefix("Conflict: ")
            log.error(texts.POLL_CONFLICT_STARTED.format(reason=reason, grace=watch.grace))
        elif seen is not Verdict.GOES_ON:
            verdict.append(seen)
            stop.set()

    polling_request = app.bot_data.services.polling_request
    if polling_request is not None:
        polling_request.on_success = on_success
    await _start(app, before=_no_webhook(take_over_webhook))
    watcher = asyncio.create_task(watch_lock())
    webhook = ""
    try:
        assert app.updater is not None
        # drop_pending_updates=False: messages sent while the bot was down are answered.
        await app.updater.start_polling(
            allowed_updates=Update.ALL_TYPES, error_callback=on_poll_error
        )
        log.info("took the poller lock: this process now %s", POLLER.duty)
        lock.announced = True
        await stop.wait()
        if verdict and verdict[0] is Verdict.WEBHOOK:
            webhook = await _webhook_url(app)
            logging.getLogger("telegram.ext.Updater").addFilter(_without_offset_cleanup)
    finally:
        watcher.cancel()
        await _shutdown(app)
    if lock_lost.is_set():
        raise CliError(ANOTHER_POLLER + " (it took the lock in the database)", EXIT_UNAVAILABLE)
    if not verdict:
        return 0
    if verdict[0] is Verdict.WEBHOOK:
        raise CliError(texts.POLL_WEBHOOK_APPEARED.format(url=webhook), EXIT_CONFIG)
    if verdict[0] is Verdict.GIVE_UP:
        raise CliError(texts.POLL_CONFLICT_GAVE_UP.format(seconds=watch.fought_for), EXIT_CONFIG)
    raise CliError(ANOTHER_POLLER + texts.POLL_CONFLICT_NEWCOMER, EXIT_CONFIG)


async def _poller_running(settings: Settings) -> bool:
    """Whether a ``cme-bot run`` of this bot and database holds the poller lock now: setting
    a webhook would cut it off (it stops on the next 409). Unknown (the database is
    unreachable) counts as no: ``_check`` has just reached it, and the 409 rule remains."""
    lock = PollerLock(settings.database_url, _require_token(settings))
    try:
        return await lock.held_elsewhere()
    except (SQLAlchemyError, OSError):
        return False


async def serve_webhook(settings: Settings) -> int:
    import uvicorn

    from bot.webhook import build_webhook_app

    _require_token(settings)
    if not settings.webhook_url:
        raise CliError("WEBHOOK_URL is not set (the public https:// URL of this bot)", EXIT_USAGE)
    if not settings.webhook_secret:
        raise CliError(
            "WEBHOOK_SECRET is not set: refusing to accept updates anyone could forge", EXIT_USAGE
        )
    await _check(settings)
    if await _poller_running(settings):
        raise CliError(texts.WEBHOOK_POLLER_RUNNING, EXIT_CONFIG)
    app = build_application(settings)
    path = urlparse(settings.webhook_url).path or "/"
    asgi = build_webhook_app(app, secret=settings.webhook_secret, path=path)
    config = uvicorn.Config(
        asgi,
        host=settings.webhook_listen,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    stop = _stop_event()
    await _start(app)
    try:
        await app.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
        serving = asyncio.create_task(server.serve())
        log.info("webhook listening on %s:%s%s", settings.webhook_listen, settings.port, path)
        await asyncio.wait(
            [serving, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED
        )
        server.should_exit = True
        await serving
    finally:
        await _shutdown(app)
    log.info("stopped")
    return 0


def run_polling(settings: Settings, *, take_over_webhook: bool = False) -> int:
    """``cme-bot run``: long polling until SIGINT/SIGTERM."""
    return asyncio.run(serve_polling(settings, take_over_webhook=take_over_webhook))


def run_webhook(settings: Settings) -> int:
    """``cme-bot webhook``: serve the webhook until SIGINT/SIGTERM."""
    return asyncio.run(serve_webhook(settings))
