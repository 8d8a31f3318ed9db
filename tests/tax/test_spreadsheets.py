"""The safe spreadsheet reader: what it accepts, what it refuses, and how it reports rows."""

import io
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest

from crm.core import spreadsheets as sheets
from tests.projects.kit import csv_bytes, xlsx_bytes

COLUMNS = [
    sheets.Column("code", "Code", ("编号", "code"), sheets.text(20, required=True)),
    sheets.Column("amount", "Amount", ("金额（万元）", "amount"), sheets.decimal(2, 0, 4000, required=True)),
    sheets.Column("note", "Note", ("备注", "note"), sheets.text(50), required=False),
]


def read(data: bytes, name: str, **kwargs):
    with sheets.open_table(data, name, COLUMNS, **kwargs) as table:
        return table, list(table.rows())


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context("/?lang=en"):
        yield


def test_reads_xlsx_with_chinese_headers_and_a_title_row():
    data = xlsx_bytes([["2025年房源清单"], [], ["编号", "金额(万元)", "备注"], ["A1", 12.5, "好"], ["A2", "1,200", None]])
    table, rows = read(data, "list.xlsx")
    assert table.header_row == 3
    assert [(r.number, r.values["code"], r.values["amount"]) for r in rows] == [
        (4, "A1", Decimal("12.50")), (5, "A2", Decimal("1200.00"))]
    assert not any(r.errors for r in rows)


def test_reads_csv_in_english_utf8_and_gbk():
    for encoding in ("utf-8-sig", "gb18030"):
        data = csv_bytes([["Code", "Amount", "Note"], ["B1", "3", "备注文字"]], encoding=encoding)
        _table, rows = read(data, "list.csv")
        assert rows[0].values == {"code": "B1", "amount": Decimal("3.00"), "note": "备注文字"}, encoding


def test_bad_cells_are_reported_by_row_number_and_column():
    data = xlsx_bytes([["编号", "金额（万元）"], ["A1", "十二"], [None, 5], ["A3", -1], ["A4", 5000]])
    _table, rows = read(data, "x.xlsx")
    reasons = {(e.row, e.column): e.reason for r in rows for e in r.errors}
    assert set(reasons) == {(2, "Amount"), (3, "Code"), (4, "Amount"), (5, "Amount")}
    assert "十二" in reasons[(2, "Amount")]


def test_duplicate_rows_are_reported_with_the_first_row():
    data = xlsx_bytes([["code", "amount"], ["A", 1], ["B", 2], ["A", 3]])
    _table, rows = read(data, "x.xlsx", unique_key=lambda v: v["code"])
    assert rows[2].errors and "2" in rows[2].errors[0].reason


@pytest.mark.parametrize("data,name,fragment", [
    (b"", "x.xlsx", "empty"),
    (b"hello", "x.pdf", ".xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", ".xls"),
    (b"this is not a zip", "x.xlsx", "not a real Excel"),
    (b"PK\x03\x04 broken", "x.csv", "not a text"),
    (b"a,b\x00,c", "x.csv", "not a text"),
])
def test_files_that_are_not_spreadsheets_are_refused(data, name, fragment):
    with pytest.raises(sheets.SpreadsheetError) as err:
        read(data, name)
    assert fragment.lower() in str(err.value).lower()


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(sheets.SpreadsheetError, match="not an Excel workbook"):
        read(buffer.getvalue(), "x.xlsx")


def _bomb(declared_honestly: bool = True) -> bytes:
    """A 'workbook' whose sheet is 200 MB of zeros compressed to about 200 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"0" * (1024 * 1024)
            for _ in range(200):
                part.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_parsing():
    data = _bomb()
    assert len(data) < 1024 * 1024
    with pytest.raises(sheets.SpreadsheetError, match="zip bomb"):
        read(data, "bomb.xlsx")


def test_a_zip_bomb_that_lies_about_its_size_is_refused():
    """Declared sizes patched down to look innocent: the actual decompression is counted and stopped."""
    data = bytearray(_bomb())
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    archive.close()
    # Rewrite the central directory's uncompressed size (zip64 extra field) to 1 KB.
    original = (200 * 1024 * 1024).to_bytes(8, "little")
    position = data.rfind(original)
    assert position > info.header_offset
    data[position:position + 8] = (1024).to_bytes(8, "little")
    with pytest.raises(sheets.SpreadsheetError):
        read(bytes(data), "liar.xlsx")


def test_files_over_the_size_limit_are_refused():
    data = csv_bytes([["code", "amount"]] + [["A", "1"]] * 5000)
    with pytest.raises(sheets.SpreadsheetError, match="larger than"):
        read(data, "x.csv", limits=sheets.Limits(max_bytes=1024 * 10))


def test_wrong_headers_name_the_missing_columns():
    data = xlsx_bytes([["名称", "数量"], ["A", 1]])
    with pytest.raises(sheets.SpreadsheetError) as err:
        read(data, "x.xlsx")
    assert "Code" in str(err.value) and "Amount" in str(err.value)


def test_headers_without_rows_and_blank_sheets_are_refused():
    with pytest.raises(sheets.SpreadsheetError, match="no data rows"):
        read(xlsx_bytes([["code", "amount"], [None, None]]), "x.xlsx")
    with pytest.raises(sheets.SpreadsheetError, match="empty"):
        read(xlsx_bytes([]), "x.xlsx")


def test_parsers_accept_usual_spellings():
    assert sheets.decimal()("１,２００.５") == Decimal("1200.50")
    assert sheets.decimal()(3.1) == Decimal("3.10")
    assert sheets.integer()("12") == 12
    with pytest.raises(sheets.CellError):
        sheets.integer()("1.5")
    assert sheets.date_value()("2025年3月1日").isoformat() == "2025-03-01"
    assert sheets.date_value()(datetime(2025, 3, 1, 8, 0)).isoformat() == "2025-03-01"
    assert sheets.choice({"标准厂房": "standard_factory", "factory": "standard_factory"})(" Factory ") == (
        "standard_factory")
    with pytest.raises(sheets.CellError):
        sheets.choice({"a": "a"})("b")
    assert sheets.text(10)(12345.0) == "12345"


def test_exports_write_text_that_looks_like_a_formula_as_text():
    from openpyxl import load_workbook

    data = sheets.write_xlsx(["名称", "金额"], [["=HYPERLINK(\"http://x\")", Decimal("1.5")], ["普通", None]])
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A2"].value == '=HYPERLINK("http://x")' and ws["A2"].data_type == "s"
    assert ws["B2"].value == 1.5
