"""Reading PDFs in tests: text per page (pdftotext), fonts (pdffonts), page count (pypdf), a PNG (pdftoppm)."""

import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdftoppm"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdffonts, pdftoppm) missing")


def _run(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run([tool, *args, handle.name, *([] if tool == "pdffonts" else ["-"])],
                              check=True, capture_output=True, text=True).stdout


def pages_text(pdf: bytes) -> list[str]:
    """The text of each page, as pdftotext extracts it (what a reader's copy-paste gets)."""
    return _run("pdftotext", pdf, "-layout", "-enc", "UTF-8").split("\f")[:page_count(pdf)]


class Text(str):
    """Extracted text in which `part in text` ignores whitespace: a table cell that wraps is split over
    lines by pdftotext, and a long string may wrap anywhere."""

    def __contains__(self, part) -> bool:
        return _squeeze(part) in _squeeze(str(self))


def _squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


def text(pdf: bytes) -> Text:
    """All text in drawing order (pdftotext -raw): each cell's lines follow each other."""
    return Text(_run("pdftotext", pdf, "-raw", "-enc", "UTF-8"))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@dataclass
class FontRow:
    name: str
    type: str
    embedded: bool
    subset: bool
    unicode: bool


def fonts(pdf: bytes) -> list[FontRow]:
    """pdffonts' table: one row per font the PDF uses."""
    rows = []
    for line in _run("pdffonts", pdf).splitlines()[2:]:
        parts = line.split()
        # name, type (may hold spaces), encoding, emb, sub, uni, object, id
        emb, sub, uni = parts[-5:-2]
        rows.append(FontRow(parts[0], " ".join(parts[1:-6]), emb == "yes", sub == "yes", uni == "yes"))
    return rows


def embedded_font_names(pdf: bytes) -> set[str]:
    """The family names inside each embedded font program (what the glyphs really come from)."""
    reader = PdfReader(io.BytesIO(pdf))
    found = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3") or descriptor.get("/FontFile")
            if program is None:
                continue
            ttf = TTFont(io.BytesIO(program.get_object().get_data()))
            found.update(n.toUnicode() for n in ttf["name"].names if n.nameID == 1)
    return found


def first_page_png(pdf: bytes, path: Path) -> Path:
    """Write page 1 as a PNG for a person to look at; returns its path."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", handle.name,
                        str(path.with_suffix(""))], check=True, capture_output=True)
    return path
