"""The ``cme-bot`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bot.config import Settings, SettingsError, load_settings
from bot.domain.requirements import RuleFileError
from bot.errors import EXIT_USAGE, CliError
from bot.logs import redact, register_secret, setup_logging


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        raise CliError(f"{self.prog}: {message} (see --help)", EXIT_USAGE)


def package_version() -> str:
    try:
        return version("cme-bot")
    except PackageNotFoundError:
        return "0+unknown"


IMPORT_EXIT_CODES = """exit codes:
  0   imported, no row rejected
  1   nothing imported: the source could not be read, or every row was rejected
  2   bad usage or setting
  3   imported, but some rows were rejected (they are listed)
  4   refused: it would cancel too many courses; nothing was changed
  69  the database cannot be reached
  78  the database schema is not this version's (see the message)"""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cme-bot", description="Telegram assistant for CME credits.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    run = commands.add_parser(
        "run", help="run the bot with long polling (needs TELEGRAM_BOT_TOKEN)"
    )
    run.add_argument(
        "--take-over-webhook",
        action="store_true",
        help="if a webhook is set for this token, delete it and poll (without this flag "
        "`run` refuses, exit 78: webhook processes would get nothing)",
    )
    commands.add_parser(
        "webhook", help="run the bot behind a webhook (needs WEBHOOK_URL and WEBHOOK_SECRET)"
    )
    commands.add_parser(
        "chat", help="try the bot in this terminal against a local Telegram sandbox (no token)"
    )
    dispatch = commands.add_parser(
        "dispatch", help="only send due reminders (a dedicated sender beside webhook processes)"
    )
    dispatch.add_argument(  # for benchmarks only: not shown to operators (QA round 11)
        "--no-shared-budget", action="store_true", help=argparse.SUPPRESS
    )
    courses = commands.add_parser("courses", help="course catalogue")
    course_commands = courses.add_subparsers(
        dest="courses_command", metavar="ACTION", parser_class=_Parser
    )
    course_commands.required = True
    importer = course_commands.add_parser(
        "import",
        help="import a CSV, iCalendar (.ics) or JSON catalogue from a file or URL",
        epilog=IMPORT_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importer.add_argument("source", metavar="PATH_OR_URL")
    importer.add_argument(
        "--keep-missing",
        action="store_true",
        help="keep upcoming courses an earlier import of this source listed and this one "
        "does not (default: they are marked cancelled)",
    )
    importer.add_argument(
        "--allow-cancellations",
        action="store_true",
        help="cancel them even when they are more than 20%% of the catalogue's upcoming "
        "courses (and 3 or more); without it such an import changes nothing and exits 4",
    )
    commands.add_parser("version", help="print the version")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", parser_class=_Parser)
    db_commands.required = True
    upgrade = db_commands.add_parser("upgrade", help="apply pending migrations")
    upgrade.add_argument(
        "revision", nargs="?", default="head", help="the revision to reach (default: head)"
    )
    db_commands.add_parser(
        "current", help="print the applied migration revision and how many are pending"
    )
    backup = db_commands.add_parser(
        "backup", help="copy a SQLite database safely while the bot runs (online backup API)"
    )
    backup.add_argument("path", metavar="PATH", help="the backup file to write")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "version":
            print(f"cme-bot {package_version()}")
            return 0
        settings = load_settings()
        register_secret(settings.telegram_bot_token)
        register_secret(settings.webhook_secret)
        setup_logging(settings.log_level, settings.log_format)
        if args.command == "run":
            from bot.runner import run_polling

            return run_polling(settings, take_over_webhook=args.take_over_webhook)
        if args.command == "webhook":
            from bot.runner import run_webhook

            return run_webhook(settings)
        if args.command == "dispatch":
            from bot.worker import run_dispatcher

            return run_dispatcher(settings, share_budget=not args.no_shared_budget)
        if args.command == "courses":
            from bot.courses.importer import courses_import_main

            return courses_import_main(
                settings,
                args.source,
                keep_missing=args.keep_missing,
                allow_cancellations=args.allow_cancellations,
            )
        if args.command == "chat":
            from bot.chat import chat_main

            return chat_main(settings)
        if args.command == "db":
            return asyncio.run(_db(settings, args))
    except (SettingsError, RuleFileError) as exc:
        print(f"cme-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CliError as exc:
        message = redact(str(exc))
        print(message if message.startswith("cme-bot") else f"cme-bot: {message}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `cme-bot courses import x.csv | head`: the reader left
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 141
    except Exception:  # a bug: its traceback through the redacting log, never a raw one
        logging.getLogger("bot.cli").exception("cme-bot stopped on an unexpected error")
        return 1
    return EXIT_USAGE


async def _db(settings: Settings, args: argparse.Namespace) -> int:
    from bot.store import migrate, schema
    from bot.store.db import create_engine

    if args.db_command == "backup":
        from bot.store.backup import backup_sqlite

        pages = backup_sqlite(settings.database_url, Path(args.path))
        print(f"backed up {pages} pages to {args.path}")
        return 0
    if args.db_command == "current":
        _require_sqlite_file(settings)  # a read-only look must not create an empty database

    engine = create_engine(settings.database_url)
    try:
        await schema.check_database(engine)
        if args.db_command == "upgrade":
            from alembic.util import CommandError

            status = await schema.schema_status(engine)
            if status.ahead:
                raise schema.newer_error(status)
            try:
                await migrate.upgrade(engine, args.revision)
            except CommandError as exc:  # "Can't locate revision identified by 'x'"
                raise CliError(f"cannot upgrade to {args.revision!r}: {exc}", EXIT_USAGE) from exc
            print(f"database at {await migrate.current_revision(engine)}")
        elif args.db_command == "current":
            print(schema.describe(await schema.schema_status(engine)))
    finally:
        await engine.dispose()
    return 0


def _require_sqlite_file(settings: Settings) -> None:
    """One line when DATABASE_URL names a SQLite file that does not exist (QA: `db current`
    in the wrong folder created an empty cme.db and called it "empty")."""
    from sqlalchemy.engine import make_url

    from bot import texts

    url = make_url(settings.database_url)
    name = url.database or ""
    local = url.get_backend_name() == "sqlite" and name not in ("", ":memory:")
    if local and not Path(name).is_file():
        raise CliError(texts.NO_SQLITE_DATABASE.format(path=name), EXIT_USAGE)


if __name__ == "__main__":
    sys.exit(main())
