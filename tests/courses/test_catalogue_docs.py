"""docs/catalogues.md says what the code does: its examples import cleanly, its lists of
categories and exit codes are the code's (QA round 11: the formats were documented
nowhere, and .env.example named an /import command that does not exist)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import IMPORT_EXIT_CODES
from bot.courses.geocode import place_geocoder
from bot.courses.importer import ImportOptions, import_source
from bot.domain import topics

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "catalogues.md").read_text(encoding="utf-8")
NOW = datetime(2026, 12, 1, tzinfo=UTC)
OPTIONS = ImportOptions(geocoder=place_geocoder)  # as `cme-bot courses import` reads them


def _block(language: str) -> str:
    found = re.search(rf"```{language}\n(.*?)```", DOC, re.S)
    assert found, f"no {language} example"
    return found.group(1)


async def test_the_examples_import_without_a_rejection(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    for language, count in (("csv", 2), ("json", 1)):
        path = tmp_path / f"example.{language}"
        path.write_text(_block(language), encoding="utf-8")
        summary = await import_source(sessionmaker, str(path), now=NOW, options=OPTIONS)
        assert summary.fatal is None and not summary.rejected, (summary.fatal, summary.rejected)
        # The JSON example is the CSV's first course: listed once, by the first catalogue.
        assert summary.added + len(summary.listed_elsewhere) == count
        assert not summary.warnings, summary.warnings


def test_the_category_ids_and_exit_codes_are_the_codes() -> None:
    row = next(line for line in DOC.splitlines() if line.startswith("| category |"))
    assert set(re.findall(r"`([a-z0-9_]+)`", row)) - {"category"} == set(topics.category_ids())
    documented = dict(re.findall(r"^\| (\d+) \| (.+) \|$", DOC, re.M))
    in_help = dict(re.findall(r"^  (\d+) +(.+)$", IMPORT_EXIT_CODES, re.M))
    assert documented.keys() == in_help.keys()
    assert "/import" not in (ROOT / ".env.example").read_text(encoding="utf-8")
