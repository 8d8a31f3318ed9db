"""Reading an uploaded contact list with every column kept, for a mapping the user may still change.

The file goes through the same checks as every other upload (crm.core.spreadsheets: size, real .xlsx or
text .csv, zip bombs, encodings, row limit); only the header search differs. The usual reader wants fixed
columns and refuses a file without them; here the header is the top row that names the most lead fields
(or simply the first row), and each data row comes back as the text of all its cells.
"""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass
from datetime import datetime, time

from flask_babel import lazy_gettext as _l

from crm.core import spreadsheets as sheets

MAX_CELL = 10_000  # characters kept per cell; longer text fails the field's own length check anyway
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_RECOGNISED_ENOUGH = 3
_DEFUSED = ("=", "+", "-", "@")  # a row naming this many lead fields is the header; stop looking


def cell_text(value) -> str:
    """A cell as the text a person would type in a form: 13812345678, 35.5, 2025-03-31."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date() if value.time() == time.min else value.isoformat(sep=" ")
    if not isinstance(value, str):
        value = value.isoformat() if hasattr(value, "isoformat") else str(value)
    value = _CONTROL.sub("", value).strip()[:MAX_CELL]
    if value[:1] == "'" and value[1:2] in _DEFUSED:
        value = value[1:]  # the apostrophe a CSV export (ours too) puts before text Excel would compute
    return value


def column_name(index: int) -> str:
    """A spreadsheet column letter: 0 → A, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


class _Sheet(sheets.Table):
    """A checked spreadsheet whose header row is found by the lead fields it names, read with all columns."""

    def _find_header(self) -> None:
        scanned, best = [], None
        for number, cells in self._raw:
            scanned.append((number, cells))
            if cells is None or all(sheets.is_blank(c) for c in cells):
                if number >= self.limits.header_search_rows:
                    break
                continue
            found = sheets.map_headers(cells, self.columns)
            if best is None or len(found) > len(best[2]):
                best = (len(scanned), number, found, cells)
            if len(found) >= _RECOGNISED_ENOUGH or number >= self.limits.header_search_rows:
                break
        if best is None:
            raise sheets.SpreadsheetError(_l("The file is empty."))
        consumed, number, found, cells = best
        header = [cell_text(c) for c in cells]
        while header and not header[-1]:
            header.pop()
        self.header_row = number
        self.auto_mapping = found
        self.header = [h or str(_l("Column %(letter)s", letter=column_name(i))) for i, h in enumerate(header)]
        # Rows read past the header while looking for it are data: put them back in front.
        self._raw = itertools.chain(scanned[consumed:], self._raw)
        self.columns = [sheets.Column(str(i), h, (), parse=cell_text, required=False)
                        for i, h in enumerate(self.header)]
        self.found = {str(i): i for i in range(len(self.header))}


@dataclass
class Upload:
    """What a contact list holds: its header, the fields recognised in it, and every data row's cells."""

    header: list[str]
    header_row: int
    auto_mapping: dict[str, int]  # field key → column index
    rows: list[tuple[int, list[str]]]  # (row number, cells)


def read_upload(data: bytes, filename: str, columns, *, limits: sheets.Limits) -> Upload:
    """Check an uploaded file and read it whole. Raises SpreadsheetError for a file that is refused.

    :param columns: spreadsheet Columns whose aliases recognise the header (see fields.columns_for).
    """
    stream = io.BytesIO(data)
    if not data:
        raise sheets.SpreadsheetError(_l("The file is empty."))
    if len(data) > limits.max_bytes:
        raise sheets.SpreadsheetError(_l("The file is larger than %(mb)s MB; split it into smaller files.",
                                         mb=limits.max_bytes // (1024 * 1024)))
    kind = sheets.sniff_kind(data[:16], filename)
    if kind == "xlsx":
        sheets.check_zip(stream, limits)
    with _Sheet(stream, True, kind, columns, limits) as sheet:
        if not sheet.header:
            raise sheets.SpreadsheetError(_l("The file is empty."))
        width = len(sheet.header)
        rows = []
        for row in sheet.rows():
            cells = [row.values[str(i)] for i in range(width)]
            if any(cells):  # cells only beyond the header's last column do not make a row
                rows.append((row.number, cells))
        if not rows:
            raise sheets.SpreadsheetError(_l("The file has a header row but no data rows."))
        return Upload(sheet.header, sheet.header_row, sheet.auto_mapping, rows)
