"""Which TrueType fonts the PDF and the chart use.

Built-in PDF fonts (Helvetica) and Pillow's default bitmap font cannot draw names like
"Łukasz": we need a TTF. DejaVu Sans (a superset of Bitstream Vera with the same shapes)
also covers "ą ę ś ź"; it ships in bot/data/fonts (Bitstream Vera licence), with the
system's copy and reportlab's bundled Vera as fallbacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DEJAVU_DIRS = (
    Path(__file__).resolve().parent.parent / "data" / "fonts",  # shipped with the bot
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
)
_DEJAVU = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf",
)
_VERA = ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf")


@dataclass(frozen=True, slots=True)
class FontFamily:
    """Four TTF files of one family; ``name`` prefixes the names registered with reportlab."""

    name: str
    regular: Path
    bold: Path
    italic: Path
    bold_italic: Path


def vera() -> FontFamily:
    """reportlab's bundled Bitstream Vera (Latin-1 plus Ł/ł, but not ą/ę/ś)."""
    import reportlab

    folder = Path(reportlab.__file__).resolve().parent / "fonts"
    return FontFamily("Vera", *(folder / name for name in _VERA))


def dejavu() -> FontFamily | None:
    """DejaVu Sans from the usual system folders, or None when a file is missing."""
    for folder in _DEJAVU_DIRS:
        paths = [folder / name for name in _DEJAVU]
        if all(p.is_file() for p in paths):
            return FontFamily("DejaVuSans", *paths)
    return None


@cache
def default_family() -> FontFamily:
    """DejaVu Sans when installed (wider coverage), else Vera."""
    return dejavu() or vera()
