"""Reading the spreadsheets people upload (.xlsx or .csv) safely and in a stream, and writing .xlsx exports.

A reader describes the columns it wants (`Column`: a key, the header names it accepts in Chinese and English,
and a parser for the cell), then iterates rows:

    with open_table(upload, "tax.xlsx", COLUMNS) as table:
        for row in table.rows():
            if row.errors: ...          # each error has the spreadsheet's row number and a reason
            else: use(row.values)       # {key: parsed value}

Before anything is parsed the file is checked: not empty, not over the size limit, really a .xlsx (a zip with
a workbook inside, declared and actual sizes and compression ratios within limits, so a zip bomb is refused
before openpyxl sees it) or really a text .csv (UTF-8 or GB18030, as Excel in China saves it). Anything else
raises `SpreadsheetError` with a message for the person who uploaded it. .xlsx files are read with openpyxl in
read-only mode, one row at a time, so memory stays flat whatever the row count.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from flask_babel import lazy_gettext as _l

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls and other Office 97 files
_CHUNK = 1024 * 1024
_CACHE_SIZE = 50_000  # distinct texts remembered per column


class SpreadsheetError(Exception):
    """The whole file is refused; `message` says why in words the uploader understands."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class CellError(ValueError):
    """A cell a parser cannot accept; the reason is shown next to the row number."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    """How much a file may hold. The defaults suit an office upload; a CLI import may raise them."""

    max_bytes: int = 50 * 1024 * 1024
    max_uncompressed: int = 1024 * 1024 * 1024  # all members of a .xlsx together
    max_ratio: int = 100  # uncompressed/compressed per member; real sheets stay well under 30
    max_members: int = 2000
    max_rows: int = 1_000_000
    header_search_rows: int = 10  # title rows above the header are common in government spreadsheets
    max_errors: int = 200  # errors kept for the report; all are counted


@dataclass(frozen=True)
class Column:
    """One column a reader wants. `aliases` are header names (any language), matched after normalising."""

    key: str
    label: Any
    aliases: tuple[str, ...]
    parse: Callable[[Any], Any] = field(default=None)
    required: bool = True  # the header must be present

    def parser(self) -> Callable[[Any], Any]:
        return self.parse or text()


@dataclass
class RowError:
    row: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.column}: " if self.column else ""
        return f"{self.row}: {where}{self.reason}"


@dataclass
class Row:
    number: int  # as the spreadsheet program shows it, 1 = first line
    values: dict
    errors: list[RowError]


# ---------------------------------------------------------------------------------------------------------
# Cell parsers: factories returning a function (cell value → python value) that raises CellError.
# ---------------------------------------------------------------------------------------------------------

def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value) -> str:
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text).strip()


def text(max_length: int = 200, required: bool = False) -> Callable[[Any], str | None]:
    """Text, control characters removed, full-width folded; longer than `max_length` is an error."""

    def parse(value):
        if is_blank(value):
            if required:
                raise CellError(_l("is required"))
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a number typed into a text column: 12345.0 → "12345"
        result = _clean(value)
        if len(result) > max_length:
            raise CellError(_l("is longer than %(n)s characters", n=max_length))
        return result

    return parse


def decimal(places: int = 2, minimum: Decimal | int | None = 0, maximum: Decimal | int = Decimal("1e12"),
            required: bool = False) -> Callable[[Any], Decimal | None]:
    """A number such as 1200, 35.5, 1,200.00 or ３５.５; anything else (text, N/A) is an error."""
    quantum = Decimal(1).scaleb(-places)

    def parse(value):
        if is_blank(value):
            if required:
                raise CellError(_l("is required"))
            return None
        if isinstance(value, bool) or isinstance(value, datetime | date):
            raise CellError(_l("is not a number"))
        if isinstance(value, int | float):  # a number cell: the common case, kept fast
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            if not number.is_finite():
                raise CellError(_l("is not a number: “%(value)s”", value=repr(value)[:30]))
        else:
            raw = _clean(value).replace(",", "").replace(" ", "")
            try:
                number = Decimal(raw)
                if not number.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                raise CellError(_l("is not a number: “%(value)s”", value=raw[:30])) from None
        if minimum is not None and number < Decimal(minimum):
            raise CellError(_l("must not be below %(min)s", min=minimum))
        if number > Decimal(maximum):
            raise CellError(_l("must not be above %(max)s", max=maximum))
        return number.quantize(quantum, rounding=ROUND_HALF_UP)

    return parse


def integer(minimum: int = 0, maximum: int = 10**9, required: bool = False) -> Callable[[Any], int | None]:
    def parse(value):
        number = decimal(places=6, minimum=minimum, maximum=maximum, required=required)(value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise CellError(_l("must be a whole number"))
        return int(number)

    return parse


def choice(mapping: dict[str, str], required: bool = False, default: str | None = None
           ) -> Callable[[Any], str | None]:
    """One of a fixed set of codes; `mapping` maps accepted spellings (any language) to the code."""
    folded = {normalise_header(k): v for k, v in mapping.items()}
    accepted = "、".join(dict.fromkeys(k for k in mapping if not k.isascii()))

    def parse(value):
        if is_blank(value):
            if required:
                raise CellError(_l("is required"))
            return default
        code = folded.get(normalise_header(str(value)))
        if code is None:
            raise CellError(_l("“%(value)s” is not one of: %(accepted)s", value=_clean(value)[:30],
                               accepted=accepted or ", ".join(sorted(set(mapping.values())))))
        return code

    return parse


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def date_value(required: bool = False) -> Callable[[Any], date | None]:
    """A date cell, or text such as 2025-03-01, 2025/3/1 or 2025年3月1日."""

    def parse(value):
        if is_blank(value):
            if required:
                raise CellError(_l("is required"))
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        match = _DATE_TEXT.match(_clean(value))
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                pass
        raise CellError(_l("is not a date (write it as 2025-03-31)"))

    return parse


# ---------------------------------------------------------------------------------------------------------
# Headers
# ---------------------------------------------------------------------------------------------------------

_HEADER_NOISE = re.compile(r"[\s()（）\[\]【】{}:：*＊/\\_\-.·'\"“”‘’#]+")


def normalise_header(value) -> str:
    """'税额（万元）' and '税额(万元)' and ' 税 额 万元 ' are the same header; 'Amount' and 'amount' too."""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", str(value or "")).casefold())


def map_headers(cells: Sequence, columns: Sequence[Column]) -> dict[str, int]:
    """Which cell index holds each column key (only the columns found)."""
    wanted = {}
    for column in columns:
        for alias in column.aliases:
            wanted.setdefault(normalise_header(alias), column.key)
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = wanted.get(normalise_header(cell)) if not is_blank(cell) else None
        if key is not None and key not in found:
            found[key] = index
    return found


# ---------------------------------------------------------------------------------------------------------
# Opening a file
# ---------------------------------------------------------------------------------------------------------

def _as_stream(source) -> tuple[IO[bytes], bool]:
    """A seekable binary stream for bytes, a path or a file object; True when we opened it."""
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source), True
    if isinstance(source, str | os.PathLike):
        return open(source, "rb"), True  # noqa: SIM115 (closed by Table.close)
    stream = getattr(source, "stream", source)  # werkzeug FileStorage
    if not stream.seekable():
        stream = io.BytesIO(stream.read())
        return stream, True
    return stream, False


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def sniff_kind(head: bytes, filename: str) -> str:
    """'xlsx' or 'csv' from the file's first bytes and its name; anything else is refused."""
    name = (filename or "").lower().strip()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if head.startswith(OLE2_MAGIC) or extension == "xls":
        raise SpreadsheetError(_l("Old Excel files (.xls) are not accepted: open it in Excel and save it "
                                  "as .xlsx (Excel workbook), then upload again."))
    if extension not in ("xlsx", "csv"):
        raise SpreadsheetError(_l("Upload a .xlsx (Excel workbook) or .csv file."))
    if extension == "xlsx":
        if not head.startswith(XLSX_MAGIC):
            raise SpreadsheetError(_l("This file is not a real Excel workbook (.xlsx); it may be damaged or "
                                      "of another type."))
        return "xlsx"
    if head.startswith(XLSX_MAGIC) or b"\x00" in head:
        raise SpreadsheetError(_l("This file is not a text .csv file; save the sheet as CSV or upload the .xlsx."))
    return "csv"


def check_zip(stream: IO[bytes], limits: Limits) -> None:
    """Refuse zip bombs and zips that are not workbooks, before any XML is parsed.

    Declared sizes are checked first (cheap), then every member is actually decompressed in chunks and
    counted, because declared sizes can lie.
    """
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetError(_l("This file is not a real Excel workbook (.xlsx); it may be damaged or "
                                  "of another type.")) from None
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise SpreadsheetError(_l("This file is a zip archive but not an Excel workbook (.xlsx)."))
        if len(members) > limits.max_members:
            raise SpreadsheetError(_l("This workbook has too many parts to be a normal spreadsheet."))
        declared = 0
        for member in members:
            declared += member.file_size
            if member.flag_bits & 0x1:
                raise SpreadsheetError(_l("Password-protected workbooks cannot be read; remove the password "
                                          "and upload again."))
            if member.file_size > 1024 * 1024 and member.file_size > limits.max_ratio * max(
                    member.compress_size, 1):
                raise _bomb()
        if declared > limits.max_uncompressed:
            raise _bomb()
        actual = 0
        for member in members:
            seen = 0
            first = True
            try:
                with archive.open(member) as part:
                    while chunk := part.read(_CHUNK):
                        if first and member.filename.endswith((".xml", ".rels")):
                            if b"<!DOCTYPE" in chunk[:65536] or b"<!ENTITY" in chunk[:65536]:
                                raise SpreadsheetError(_l("This workbook contains XML declarations a "
                                                          "spreadsheet never has; it was refused."))
                        first = False
                        seen += len(chunk)
                        actual += len(chunk)
                        if seen > member.file_size or actual > limits.max_uncompressed:
                            raise _bomb()
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
                raise SpreadsheetError(_l("This workbook is damaged and cannot be read.")) from None
    stream.seek(0)


def _bomb() -> SpreadsheetError:
    return SpreadsheetError(_l("This workbook expands to far more data than a spreadsheet of its size can "
                               "hold (a “zip bomb”); it was refused."))


def detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as UTF-8, else GB18030 (Excel's Chinese CSV)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    stream.seek(0)
    head = stream.read(3)
    encoding = "utf-8-sig" if head == codecs.BOM_UTF8 else "utf-8"
    stream.seek(0)
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "gb18030"
        stream.seek(0)
        gb = codecs.getincrementaldecoder("gb18030")()
        try:
            while chunk := stream.read(_CHUNK):
                gb.decode(chunk)
            gb.decode(b"", final=True)
        except UnicodeDecodeError:
            raise SpreadsheetError(_l("This .csv file is neither UTF-8 nor GBK text; save it again as CSV "
                                      "(UTF-8).")) from None
    stream.seek(0)
    return encoding


class Table:
    """An opened, checked spreadsheet. Iterate `rows()` once; use it as a context manager."""

    def __init__(self, stream: IO[bytes], owned: bool, kind: str, columns: Sequence[Column], limits: Limits,
                 unique_key: Callable[[dict], Hashable | None] | None = None,
                 duplicate_reason=None, sheet: str | None = None):
        self._stream = stream
        self._owned = owned
        self.kind = kind
        self.columns = list(columns)
        self.limits = limits
        self.unique_key = unique_key
        self.duplicate_reason = duplicate_reason or _l("duplicates row %(row)s")
        self._workbook = None
        self.header_row = 0
        self.found: dict[str, int] = {}
        self.row_count = 0
        self.error_count = 0
        self._raw = self._open_rows(sheet)
        self._find_header()

    # -- opening -----------------------------------------------------------------------------------------
    def _open_rows(self, sheet: str | None) -> Iterator[tuple[int, Sequence]]:
        if self.kind == "xlsx":
            return self._xlsx_rows(sheet)
        return self._csv_rows()

    def _xlsx_rows(self, sheet: str | None) -> Iterator[tuple[int, Sequence]]:
        import openpyxl

        try:
            self._workbook = openpyxl.load_workbook(self._stream, read_only=True, data_only=True)
            worksheets = self._workbook.worksheets
            if not worksheets:
                raise SpreadsheetError(_l("The workbook has no sheet."))
            ws = self._workbook[sheet] if sheet and sheet in self._workbook.sheetnames else worksheets[0]
        except SpreadsheetError:
            raise
        except Exception:  # openpyxl raises many kinds on damaged files
            raise SpreadsheetError(_l("This workbook is damaged and cannot be read.")) from None

        def generate():
            number = 0
            try:
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    yield number, values
            except SpreadsheetError:
                raise
            except Exception:
                raise SpreadsheetError(_l("The workbook could not be read past row %(row)s; it may be "
                                          "damaged.", row=number)) from None

        return generate()

    def _csv_rows(self) -> Iterator[tuple[int, Sequence]]:
        encoding = detect_encoding(self._stream)
        wrapper = io.TextIOWrapper(self._stream, encoding=encoding, newline="")
        self._text = wrapper
        sample = wrapper.read(4096)
        wrapper.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t，")
            delimiter = dialect.delimiter
        except csv.Error:
            delimiter = ","
        reader = csv.reader(wrapper, delimiter=delimiter)

        def generate():
            try:
                for values in reader:
                    yield reader.line_num, values
            except (csv.Error, UnicodeDecodeError):
                raise SpreadsheetError(_l("The .csv file could not be read past line %(row)s.",
                                          row=reader.line_num)) from None

        return generate()

    def _find_header(self) -> None:
        required = [c for c in self.columns if c.required]
        best: tuple[int, dict] | None = None
        for number, cells in self._raw:
            if cells is None or all(is_blank(c) for c in cells):
                if number >= self.limits.header_search_rows:
                    break
                continue
            found = map_headers(cells, self.columns)
            if best is None or len(found) > len(best[1]):
                best = (number, found)
            if all(c.key in found for c in required) and found:
                self.header_row, self.found = number, found
                return
            if number >= self.limits.header_search_rows:
                break
        if best is None:
            raise SpreadsheetError(_l("The file is empty."))
        missing = [c for c in required if c.key not in best[1]]
        names = "; ".join(f"{c.label} ({' / '.join(c.aliases[:2])})" for c in missing)
        raise SpreadsheetError(_l("The header row is missing these columns: %(columns)s. Use the headers of "
                                  "the template (Chinese or English).", columns=names))

    # -- reading -----------------------------------------------------------------------------------------
    def rows(self) -> Iterator[Row]:
        """Each data row, parsed; blank rows are skipped. Raises SpreadsheetError if there are none."""
        seen: dict[Hashable, int] = {}
        # Parsers are pure, and a column's texts repeat (companies, periods, kinds): each distinct text is
        # parsed once. The caches are bounded, so a column of unique texts costs no more than without them.
        parsers = [(c, self.found.get(c.key), c.parser(), {}) for c in self.columns]
        for number, cells in self._raw:
            if cells is None or not any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
                continue
            self.row_count += 1
            if self.row_count > self.limits.max_rows:
                raise SpreadsheetError(_l("The file has more than %(n)s rows; split it into smaller files.",
                                          n=self.limits.max_rows))
            values, errors = {}, []
            for column, index, parse, cache in parsers:
                raw = cells[index] if index is not None and index < len(cells) else None
                known = cache.get(raw) if isinstance(raw, str) else None
                if known is None:
                    try:
                        known = (True, parse(raw))
                    except CellError as err:
                        known = (False, str(err.reason))
                    if isinstance(raw, str) and len(cache) < _CACHE_SIZE:
                        cache[raw] = known
                if known[0]:
                    values[column.key] = known[1]
                else:
                    values[column.key] = None
                    errors.append(RowError(number, str(column.label), known[1]))
            if not errors and self.unique_key is not None:
                key = self.unique_key(values)
                if key is not None:
                    if key in seen:
                        reason = str(self.duplicate_reason)
                        if "%(row)s" in reason:
                            reason = reason % {"row": seen[key]}
                        errors.append(RowError(number, None, reason))
                    else:
                        seen[key] = number
            if errors:
                self.error_count += 1
            yield Row(number, values, errors)
        if self.row_count == 0:
            raise SpreadsheetError(_l("The file has a header row but no data rows."))

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
        if self._owned:
            self._stream.close()
        elif self.kind == "csv" and getattr(self, "_text", None) is not None:
            self._text.detach()  # leave the caller's stream open

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_table(source, filename: str, columns: Sequence[Column], *, limits: Limits | None = None,
               unique_key: Callable[[dict], Hashable | None] | None = None, duplicate_reason=None,
               sheet: str | None = None) -> Table:
    """Check a file and open it for reading rows. Raises SpreadsheetError if the file is refused.

    :param source: bytes, a path, a binary file object or an uploaded FileStorage.
    :param filename: the name it was uploaded with (its extension must be .xlsx or .csv).
    :param unique_key: given a row's parsed values, the key that must not repeat in the file (None to skip).
    """
    limits = limits or Limits()
    stream, owned = _as_stream(source)
    try:
        size = _size(stream)
        if size == 0:
            raise SpreadsheetError(_l("The file is empty."))
        if size > limits.max_bytes:
            raise SpreadsheetError(_l("The file is larger than %(mb)s MB; split it into smaller files.",
                                      mb=limits.max_bytes // (1024 * 1024)))
        head = stream.read(16)
        stream.seek(0)
        kind = sniff_kind(head, filename)
        if kind == "xlsx":
            check_zip(stream, limits)
        return Table(stream, owned, kind, columns, limits, unique_key=unique_key,
                     duplicate_reason=duplicate_reason, sheet=sheet)
    except BaseException:
        if owned:
            stream.close()
        raise


# ---------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------

def write_xlsx(headers: Sequence[str], rows, *, title: str = "Sheet1") -> bytes:
    """An .xlsx file from headers and an iterable of rows, streamed by openpyxl's write-only mode.

    Text is always written as text, so a company name starting with '=' can never become a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet1")
    bold = Font(bold=True)
    header_cells = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, Decimal):
                value = float(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
