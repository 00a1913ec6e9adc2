"""The progress chart: a PNG of the expected size, coloured by how things stand."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from PIL import Image

from bot.domain.credits import status_for_all
from bot.reports.chart import MAX_ROWS, chart_size, render_progress_png
from bot.reports.model import ProgressLine, progress_lines
from tests.reports.factories import FLORIDA, TEXAS, TODAY, entries, licences

GREEN, AMBER, RED = (46, 125, 50), (240, 160, 32), (211, 47, 47)


def _open(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _colours(image: Image.Image) -> set[tuple[int, int, int]]:
    return {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 20) or []}


def test_png_from_a_status_has_the_phone_size_and_is_not_blank() -> None:
    status = status_for_all([TEXAS], entries(25), TODAY)[0]
    rows = len(progress_lines(status))
    image = _open(render_progress_png(status, TODAY))
    assert image.format == "PNG"
    assert image.size == chart_size(rows) == (800, 120 + 60 * rows)
    colours = _colours(image)
    assert len(colours) > 20  # anti-aliased text, bars, track
    assert image.convert("L").getextrema()[0] < 80  # dark text is there


def test_complete_in_green_in_progress_in_amber() -> None:
    status = status_for_all([TEXAS], entries(25), TODAY)[0]
    lines = progress_lines(status)
    assert any(line.complete for line in lines) and not all(line.complete for line in lines)
    colours = _colours(_open(render_progress_png(status, TODAY)))
    assert GREEN in colours and AMBER in colours and RED not in colours


def test_close_deadline_turns_remaining_items_red() -> None:
    status = status_for_all([FLORIDA], entries(3), TODAY)[0]
    late = status.deadline - timedelta(days=10)
    colours = _colours(_open(render_progress_png(status, late)))
    assert RED in colours


def test_works_from_transcript_data_and_caps_rows() -> None:
    licence = licences(10)[0]
    many = tuple(
        ProgressLine("mandate", f"Topic {i}", Decimal(i), Decimal(5), Decimal(max(0, 5 - i)))
        for i in range(20)
    )
    image = _open(render_progress_png(replace(licence, mandates=many), TODAY))
    assert image.size == chart_size(MAX_ROWS) == (800, 120 + 60 * MAX_ROWS)
    overdue = replace(licence, deadline=date(2026, 1, 1), overdue=True)
    assert _open(render_progress_png(overdue, TODAY)).size[0] == 800


def test_long_and_unicode_labels() -> None:
    licence = licences(5)[1]
    long = replace(licence, label="Ordre des médecins — Łódź " + "très long " * 30)
    assert _open(render_progress_png(long, TODAY)).size[0] == 800


def test_same_image_from_worker_threads() -> None:
    status = status_for_all([TEXAS], entries(25), TODAY)[0]
    expected = render_progress_png(status, TODAY)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: render_progress_png(status, TODAY), range(16)))
    assert all(result == expected for result in results)
