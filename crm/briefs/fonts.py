"""The one font every brief embeds, and whether WeasyPrint can subset it quickly.

Briefs never rely on whatever fonts happen to be installed: the stylesheet names a face ("BriefSans")
loaded with @font-face from one file this module picks. Latin text uses the same face, so a brief
embeds one font (plus its synthetic bold), whatever the language.
"""

import logging
import os
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

FAMILY = "BriefSans"
STATIC_FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
# Debian's fonts-wqy-microhei (installed by `make system-deps`), then Noto CJK if a zone prefers it.
SYSTEM_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


def candidates(configured: str | None = None) -> list[Path]:
    """Font files in order of preference: the configured one, any shipped in static/fonts/, then Debian's."""
    found = []
    if configured:
        found.append(Path(configured))
    if STATIC_FONTS.is_dir():
        found.extend(sorted(p for p in STATIC_FONTS.iterdir() if p.suffix.lower() in FONT_SUFFIXES))
    found.extend(SYSTEM_FONTS)
    return found


@lru_cache(maxsize=4)
def _first_existing(configured: str | None) -> Path | None:
    return next((path for path in candidates(configured) if path.is_file()), None)


def font_path(config=None) -> Path | None:
    """The CJK font file briefs embed (CRM_BRIEF_FONT or BRIEF_FONT overrides the choice), or None."""
    configured = (config or {}).get("BRIEF_FONT") or os.environ.get("CRM_BRIEF_FONT")
    return _first_existing(configured)


def harfbuzz_subsetting() -> bool:
    """True when WeasyPrint subsets fonts with libharfbuzz-subset (fast) rather than fontTools (slow).

    WeasyPrint 70 (weasyprint/pdf/fonts.py, Font.subset) takes the HarfBuzz path when
    `weasyprint.text.ffi.harfbuzz_subset` loaded and HarfBuzz is at least 4.1.0.
    """
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    except Exception:  # pragma: no cover - WeasyPrint cannot even load Pango
        return False
    return bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def check(app) -> list[str]:
    """Log (and return) what would make briefs slow or wrong on this install. Called at start-up."""
    problems = []
    if not harfbuzz_subsetting():
        problems.append(
            "PDF briefs will be slow (seconds per Chinese page): WeasyPrint cannot find libharfbuzz-subset "
            ">= 4.1 and falls back to fontTools. Install it: `make system-deps` (Debian: libharfbuzz-subset0).")
    if font_path(app.config) is None:
        problems.append(
            "PDF briefs have no CJK font to embed: install fonts-wqy-microhei (`make system-deps`) or put a "
            "licensed .ttf/.otf in static/fonts/, or set CRM_BRIEF_FONT to a font file.")
    for problem in problems:
        log.warning(problem)
    return problems


@lru_cache(maxsize=4)
def _cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=0, lazy=True)
    return frozenset(font.getBestCmap())


def missing_characters(text: str, path: Path) -> set[str]:
    """Characters of `text` the font at `path` has no glyph for (whitespace and controls ignored)."""
    cmap = _cmap(str(path))
    return {ch for ch in set(text) if not ch.isspace() and ch.isprintable() and ord(ch) not in cmap}
