"""`cme-bot courses import` as an operator's nightly job sees it (QA round 11): the size
cap is a setting named when it refuses, and the exit code tells a partial import apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.courses.importer import courses_import_main

HEADER = "id,title,credits,format,start,description\n"


def _rows(count: int, width: int = 0) -> str:
    pad = "x" * width
    return "".join(f"r{i},Course {i},1,webinar,2031-01-{1 + i % 28:02d} 09:00,{pad}\n"
                   for i in range(count))  # fmt: skip


def test_the_size_cap_is_a_setting_and_the_refusal_names_it(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.csv"
    path.write_text(HEADER + _rows(1200, width=1000), encoding="utf-8")  # about 1.2 MB
    small = Settings(database_url=database_url, course_file_max_mb=1, _env_file=None)  # type: ignore[call-arg]
    assert courses_import_main(small, str(path)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "big.csv is 1.2 MB, more than the 1.0 MB limit (COURSE_FILE_MAX_MB: raise it" in err
    roomy = Settings(database_url=database_url, course_file_max_mb=2, _env_file=None)  # type: ignore[call-arg]
    assert courses_import_main(roomy, str(path)) == 0
    assert "1200 added" in capsys.readouterr().out


def test_a_partial_import_has_its_own_exit_code(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """QA round 11: 6 of 7 rows rejected exited 0; the good row is still imported."""
    path = tmp_path / "baddates.csv"
    bad = "".join(f"b{i},Bad {i},1,webinar,31/02/2031\n" for i in range(6))
    path.write_text(HEADER + _rows(1) + bad, encoding="utf-8")
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    assert courses_import_main(settings, str(path)) == 3
    assert "1 added, 0 updated, 0 unchanged, 6 rejected" in capsys.readouterr().out
    path.write_text(HEADER + bad, encoding="utf-8")
    assert courses_import_main(settings, str(path)) == 1
    path.write_text(HEADER + _rows(1), encoding="utf-8")
    assert courses_import_main(settings, str(path)) == 0


def test_a_course_moved_within_its_day_shows_the_times(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """QA round 11: "changed date: Safe Opioid Prescribing (Mar 5, 2027 → Mar 5, 2027)"."""
    path = tmp_path / "c.csv"
    row = "k1,Safe Opioid Prescribing,2,webinar,2027-03-05 {time},,America/Chicago\n"
    header = "id,title,credits,format,start,description,timezone\n"
    path.write_text(header + row.format(time="08:00"), encoding="utf-8")
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    assert courses_import_main(settings, str(path)) == 0
    path.write_text(header + row.format(time="09:00"), encoding="utf-8")
    capsys.readouterr()
    assert courses_import_main(settings, str(path)) == 0
    out = capsys.readouterr().out
    assert (
        "1 course(s) changed date: Safe Opioid Prescribing (Mar 5, 2027, 8:00 AM → 9:00 AM CST)."
        in out
    ), out


@pytest.mark.parametrize(
    ("source", "said"),
    [
        ("ftp://x/y.csv", "Could not import ftp://x/y.csv: ftp:// is not supported: give an "
                          "http:// or https:// URL, or a file on this machine"),
        ("", 'Could not import "": no file or URL given'),
        ("  ", "no file or URL given"),
    ],
)  # fmt: skip
def test_sources_that_cannot_be_read_say_why(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, said: str
) -> None:
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    assert courses_import_main(settings, source) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and said in err, err
