"""The lead list, as its filters select it, written to .xlsx or .csv for Excel.

Headers are the reader's language (the same labels the lead import recognises, so an export imports
again as it is); coded values are written as their labels, amounts as plain numbers. Each person's
details follow crm.privacy.visibility, as on the pages. Rows are read from the database in batches and
written as they come, so a large export takes no more memory than a small one.
"""

import codecs
import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select
from sqlalchemy.orm import aliased

from crm.auth.models import User
from crm.core.formatting import office_zone
from crm.core.vocabulary import LEAD_FIELD_LABELS
from crm.extensions import db
from crm.leads.display import field_value
from crm.leads.models import Lead
from crm.privacy import visibility

# Columns in order: a lead field (its label from LEAD_FIELD_LABELS), or one of the extras below.
COLUMNS = (
    "reference", "company_name", "contact_name", "mobile", "email", "credit_code", "kind", "source",
    "industry_code", "intended_use", "land_mu", "floor_area_m2", "budget_wan", "timing", "planned_investment_wan",
    "expected_output_wan", "expected_tax_wan", "jobs", "stage", "owner_id", "priority", "sponsoring_leader",
    "is_key", "next_action", "next_action_due", "created_at", "message",
)
EXTRA_LABELS = {"reference": _l("Reference"), "created_at": _l("Created")}
LABELLED = ("kind", "source", "stage", "priority", "is_key")  # codes written as their labels
BATCH = 1000
_RISKY = ("=", "+", "-", "@", "\t", "\r")  # a cell Excel would run as a formula


def headers() -> list[str]:
    """Column headers in the current language."""
    return [str(EXTRA_LABELS[c]) if c in EXTRA_LABELS else LEAD_FIELD_LABELS.label(c) for c in COLUMNS]


def _query(leads: Select) -> Select:
    """The filtered lead query (its conditions and order kept) as plain rows: the exported fields, the
    owner's name, and what the visibility rules need."""
    owner = aliased(User)
    wanted = {c for c in COLUMNS if c in Lead.__table__.columns}
    columns = [Lead.id, Lead.created_at] + [getattr(Lead, c) for c in sorted(wanted - {"created_at"})]
    columns += [c for c in visibility.ROW_COLUMNS if c.key not in wanted]
    return (leads.with_only_columns(*columns, owner.name.label("owner_name"))
            .outerjoin(owner, owner.id == Lead.owner_id))


def rows(leads: Select, *, reader: User, industries: dict[str, str]) -> Iterator[list]:
    """Each lead as a list of cell values (str, number, date or None), in COLUMNS order."""
    result = db.session.execute(_query(leads).execution_options(yield_per=BATCH))
    for row in result:
        lead = SimpleNamespace(**row._mapping)
        lead.reference = Lead.reference.fget(lead)  # the model's own rule, from id and created_at
        yield [_cell(column, lead, reader, industries) for column in COLUMNS]


def _cell(column: str, lead, reader: User, industries: dict[str, str]):
    if column == "reference":
        return lead.reference
    if column == "owner_id":
        return lead.owner_name or ""
    if column == "created_at":
        return lead.created_at.replace(tzinfo=UTC).astimezone(office_zone()).replace(tzinfo=None, second=0, microsecond=0)
    value = visibility.visible_value(reader, lead, column)
    if value is None or value == "":
        return None
    if column in LABELLED:
        return field_value(column, value)
    if column == "industry_code":
        return industries.get(value, value)
    return value


def csv_chunks(leads: Select, *, reader: User, industries: dict[str, str]) -> Iterator[str]:
    """The export as CSV text, a batch of rows at a time; formulas defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    for number, values in enumerate(rows(leads, reader=reader, industries=industries), start=1):
        writer.writerow([_csv_text(v) for v in values])
        if number % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(leads: Select, *, reader: User, industries: dict[str, str]):
    """The export as a CSV file (UTF-8 with a BOM, so Excel reads Chinese), rewound for sending.

    Written to a temporary file that spills to disk, then sent from there: the response streams, and the
    database is read while the request (and its session) is still open.
    """
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    output.write(codecs.BOM_UTF8)
    for chunk in csv_chunks(leads, reader=reader, industries=industries):
        output.write(chunk.encode("utf-8"))
    output.seek(0)
    return output


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_RISKY) else text


def write_xlsx(leads: Select, *, reader: User, industries: dict[str, str]):
    """The export as an .xlsx in a temporary file (openpyxl's write-only mode), rewound for sending."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Leads")[:31])
    bold = Font(bold=True)
    header_cells = []
    for name in headers():
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for values in rows(leads, reader=reader, industries=industries):
        cells = []
        for value in values:
            if isinstance(value, Decimal):
                value = float(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: a company called "=1+1" is not a formula
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output
