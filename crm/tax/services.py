"""Importing the tax office's spreadsheet, and confirming which taxpayers are which projects.

An import reads the whole file first (streamed, nothing written), so a file with any invalid row changes
nothing and the report lists every bad row by number and reason. Only a clean file is written, in chunks,
in the caller's transaction. Each row is keyed by taxpayer (credit code, or normalised name when the office
gave none), period and tax kind, so importing the same file again finds every row unchanged and writes
nothing: imports are idempotent, and a corrected file updates the amounts it corrects.

Rows are linked to projects by credit code at import time. A taxpayer whose normalised name matches a project
that has no credit code (or a row without one) is not linked automatically: it waits on the confirmation list
(`name_candidates`) until an officer confirms or rejects the match.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, or_, select, update

from crm.auth.models import User
from crm.core import spreadsheets as sheets
from crm.core.database import utcnow
from crm.extensions import db
from crm.leads.identity import is_valid_credit_code, normalise_company, normalise_credit_code
from crm.projects.models import Project
from crm.tax.models import TaxImport, TaxNameRejection, TaxRecord
from crm.tax.vocabulary import KIND_SPELLINGS, parse_period

CHUNK = 2000  # taxpayers looked up and rows written per round trip
MAX_AMOUNT_WAN = Decimal("10000000")  # 1,000亿元 in one period: anything above is a typo


class TaxImportRefused(Exception):
    """The file has invalid rows (or conflicts with what is stored); nothing was imported."""

    def __init__(self, report: "TaxImportReport"):
        super().__init__(f"{report.error_rows} invalid rows")
        self.report = report


@dataclass
class TaxImportReport:
    filename: str = ""
    sha256: str = ""
    rows: int = 0
    error_rows: int = 0
    errors: list = field(default_factory=list)  # RowError, the first Limits.max_errors
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    matched: int = 0  # rows linked to a project
    taxpayers: int = 0
    total_wan: Decimal = Decimal(0)
    first_period: str | None = None
    last_period: str | None = None
    import_id: int | None = None

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)


def _credit_code(value):
    code = sheets.text(30)(value)
    if code is None:
        return None
    code = normalise_credit_code(code)
    if not is_valid_credit_code(code):
        raise sheets.CellError(_l("is not a valid unified social credit code (18 characters)"))
    return code


def columns() -> list[sheets.Column]:
    """The tax office's columns, in Chinese or English. Amounts must be in 万元 (the header says so)."""
    return [
        sheets.Column("credit_code", _l("Unified social credit code"), (
            "统一社会信用代码", "社会信用代码", "纳税人识别号", "信用代码", "credit code", "unified social credit code",
            "uscc", "taxpayer id"), _credit_code, required=False),
        sheets.Column("company_name", _l("Company name"), (
            "企业名称", "纳税人名称", "公司名称", "单位名称", "company name", "company", "taxpayer name", "taxpayer"),
            sheets.text(200), required=False),
        sheets.Column("period", _l("Period"), (
            "所属期", "税款所属期", "所属期间", "所属时期", "期间", "period", "tax period"),
            parse_period),
        sheets.Column("amount", _l("Amount (10k yuan)"), (
            "税额（万元）", "入库税额（万元）", "实缴税额（万元）", "金额（万元）", "税收（万元）", "amount",
            "amount (10k yuan)", "amount wan", "tax (10k yuan)", "tax amount (10k yuan)"),
            sheets.decimal(4, 0, MAX_AMOUNT_WAN, required=True)),
        sheets.Column("kind", _l("Tax kind"), ("税种", "征收项目", "税目", "tax kind", "kind", "tax type", "tax"),
                      sheets.choice(KIND_SPELLINGS, default="total"), required=False),
    ]


def taxpayer_key(credit_code: str | None, company_key: str) -> str:
    """The credit code when the office gave one, else the normalised company name."""
    return credit_code or f"name:{company_key}"[:210]


def file_limits() -> sheets.Limits:
    return sheets.Limits(max_bytes=int(current_app.config.get("TAX_IMPORT_MAX_BYTES", 200 * 2**20)))


def sha256_of(source) -> str:
    """The file's SHA-256, recorded with each import (reads the stream and rewinds it)."""
    digest = hashlib.sha256()
    if isinstance(source, bytes | bytearray):
        digest.update(source)
        return digest.hexdigest()
    if isinstance(source, str) or hasattr(source, "__fspath__"):
        with open(source, "rb") as handle:
            while chunk := handle.read(2**20):
                digest.update(chunk)
        return digest.hexdigest()
    stream = getattr(source, "stream", source)
    stream.seek(0)
    while chunk := stream.read(2**20):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def read_file(source, filename: str, report: TaxImportReport, *, limits: sheets.Limits | None = None
              ) -> list[tuple]:
    """Parse and check every row. Returns the valid rows as tuples; fills report.errors with the others.

    Raises SpreadsheetError when the file itself is refused (type, size, zip bomb, headers, empty).
    """
    limits = limits or file_limits()
    rows: list[tuple] = []
    names: dict[str, tuple[str, str]] = {}  # name → (interned name, normalised key): a name repeats a lot
    granularity: dict[str, tuple[str, int]] = {}  # taxpayer → ("M" or "Q", first row)

    def unique(values):
        key = _key_of(values)
        return None if key is None else (key, values["period"].code, values["kind"])

    with sheets.open_table(source, filename, columns(), limits=limits, unique_key=unique,
                           duplicate_reason=_l("repeats row %(row)s (same company, period and tax kind)")
                           ) as table:
        if "credit_code" not in table.found and "company_name" not in table.found:
            raise sheets.SpreadsheetError(_l(
                "The header row needs a credit code column (统一社会信用代码) or a company name column (企业名称)."))
        for row in table.rows():
            report.rows += 1
            errors = row.errors
            values = row.values
            if not errors and not values["credit_code"] and not values["company_name"]:
                errors = [sheets.RowError(row.number, None, str(_l("has neither a credit code nor a company name")))]
            if not errors:
                key = _key_of(values)
                period = values["period"]
                grain = "M" if period.month else "Q"
                seen = granularity.setdefault(key, (grain, row.number))
                if seen[0] != grain:
                    errors = [sheets.RowError(row.number, str(_l("Period")), str(_l(
                        "mixes months and quarters for the same company (see row %(row)s)", row=seen[1])))]
            if errors:
                report.error_rows += 1
                room = limits.max_errors - len(report.errors)
                if room > 0:
                    report.errors.extend(errors[:room])
                continue
            if report.error_rows:
                continue  # refused anyway: keep counting errors, stop collecting rows
            name = values["company_name"] or values["credit_code"]
            if name not in names:
                names[name] = (name, normalise_company(values["company_name"]) if values["company_name"] else "")
            name, company_key = names[name]
            period = values["period"]
            code = period.code
            rows.append((key, values["credit_code"], name, company_key, code, period.year, period.quarter,
                         period.month, values["kind"], values["amount"]))
            report.total_wan += values["amount"]
            if report.first_period is None or code < report.first_period:
                report.first_period = code
            if report.last_period is None or code > report.last_period:
                report.last_period = code
    report.taxpayers = len(granularity)
    return rows


def _key_of(values) -> str | None:
    if values.get("credit_code"):
        return values["credit_code"]
    if values.get("company_name"):
        return taxpayer_key(None, normalise_company(values["company_name"]))
    return None


def import_tax(source, filename: str, *, by: User | None, limits: sheets.Limits | None = None) -> TaxImportReport:
    """Import a tax spreadsheet, all or nothing. The caller commits, or rolls back on an exception.

    Raises SpreadsheetError (the file is refused) or TaxImportRefused (rows are invalid; the report says which).
    """
    report = TaxImportReport(filename=filename[:255], sha256=sha256_of(source))
    rows = read_file(source, filename, report, limits=limits)
    if report.error_rows:
        raise TaxImportRefused(report)
    write_rows(rows, report, by=by)
    return report


def _project_lookup() -> dict[str, int]:
    return {code: pid for code, pid in db.session.execute(
        select(Project.credit_code, Project.id).where(Project.credit_code.is_not(None)))}


def write_rows(rows: list[tuple], report: TaxImportReport, *, by: User | None) -> None:
    """Insert new records, update changed ones, leave identical ones alone; link by credit code."""
    by_credit = _project_lookup()
    log = TaxImport(filename=report.filename, file_sha256=report.sha256, rows=report.rows,
                    user_id=by.id if by else None, at=utcnow())
    db.session.add(log)
    db.session.flush()
    connection = db.session.connection()
    table = TaxRecord.__table__
    now = utcnow()
    rows.sort(key=lambda r: r[0])
    position = 0
    while position < len(rows):
        # A chunk never splits a taxpayer, so a taxpayer's stored periods are all seen together.
        keys: list[str] = []
        end = position
        while end < len(rows) and (len(keys) < CHUNK or rows[end][0] == keys[-1]):
            if not keys or rows[end][0] != keys[-1]:
                keys.append(rows[end][0])
            end += 1
        stored = {}
        for record in connection.execute(
                select(table.c.id, table.c.taxpayer_key, table.c.period, table.c.kind, table.c.amount_wan,
                       table.c.project_id).where(table.c.taxpayer_key.in_(keys))):
            stored[(record.taxpayer_key, record.period, record.kind)] = record
        _check_granularity(rows[position:end], stored)
        inserts, updates = [], []
        for key, credit, name, company_key, period, year, quarter, month, kind, amount in rows[position:end]:
            project_id = by_credit.get(credit) if credit else None
            existing = stored.get((key, period, kind))
            if existing is None:
                inserts.append({
                    "taxpayer_key": key, "credit_code": credit, "company_name": name,
                    "company_key": company_key,
                    "project_id": project_id, "period": period, "year": year, "quarter": quarter, "month": month,
                    "kind": kind, "amount_wan": amount, "import_id": log.id, "created_at": now, "updated_at": now})
                report.inserted += 1
                report.matched += project_id is not None
                continue
            linked = existing.project_id or project_id
            report.matched += linked is not None
            if Decimal(existing.amount_wan) == amount and (project_id is None or project_id == existing.project_id):
                report.unchanged += 1
                continue
            updates.append({"_id": existing.id, "_amount": amount, "_project": linked, "_import": log.id,
                            "_at": now})
            report.updated += 1
        if inserts:
            connection.execute(table.insert(), inserts)
        if updates:
            connection.execute(
                update(table).where(table.c.id == bindparam("_id"))
                .values(amount_wan=bindparam("_amount"), project_id=bindparam("_project"),
                        import_id=bindparam("_import"), updated_at=bindparam("_at")), updates)
        position = end
    if report.changed:
        log.inserted, log.updated, log.unchanged, log.matched = (
            report.inserted, report.updated, report.unchanged, report.matched)
        report.import_id = log.id
    else:
        db.session.delete(log)  # nothing changed: the import leaves no trace at all
    db.session.flush()


def _check_granularity(rows: Iterable[tuple], stored: dict) -> None:
    """A company reported by quarter must not also be stored by month (its tax would count twice)."""
    stored_grain = {}
    for (key, period, _kind) in stored:
        stored_grain.setdefault(key, "Q" if "Q" in period else "M")
    for key, _credit, name, _company_key, period, *_rest in rows:
        grain = "Q" if "Q" in period else "M"
        if stored_grain.get(key, grain) != grain:
            report = TaxImportReport()
            report.error_rows = 1
            report.errors = [sheets.RowError(0, None, str(_l(
                "%(company)s is already recorded by %(stored)s; this file reports it by %(file)s. Import files "
                "of one kind for a company.", company=name,
                stored=_l("quarter") if stored_grain[key] == "Q" else _l("month"),
                file=_l("quarter") if grain == "Q" else _l("month"))))]
            raise TaxImportRefused(report)


# ---------------------------------------------------------------------------------------------------------
# Name matches waiting for confirmation
# ---------------------------------------------------------------------------------------------------------

def name_candidates_query():
    """Unlinked taxpayers whose normalised name is a project's company, where credit codes do not decide.

    One row per (taxpayer, project): the name the office used, its credit code, row count and total.
    """
    rejected = select(TaxNameRejection.id).where(
        TaxNameRejection.taxpayer_key == TaxRecord.taxpayer_key, TaxNameRejection.project_id == Project.id)
    return (
        select(TaxRecord.taxpayer_key, func.min(TaxRecord.company_name).label("company_name"),
               func.min(TaxRecord.credit_code).label("credit_code"), Project.id.label("project_id"),
               Project.code.label("project_code"), Project.name.label("project_name"),
               Project.company_name.label("project_company"), func.count(TaxRecord.id).label("rows"),
               func.sum(TaxRecord.amount_wan).label("total_wan"))
        .join(Project, and_(Project.company_key == TaxRecord.company_key, TaxRecord.company_key != ""))
        .where(TaxRecord.project_id.is_(None),
               or_(Project.credit_code.is_(None), TaxRecord.credit_code.is_(None)),
               ~rejected.exists())
        .group_by(TaxRecord.taxpayer_key, Project.id, Project.code, Project.name, Project.company_name)
        .order_by(func.min(TaxRecord.company_name), Project.code))


def name_candidates(limit: int = 500) -> list:
    return list(db.session.execute(name_candidates_query().limit(limit)))


def count_name_candidates() -> int:
    return db.session.scalar(select(func.count()).select_from(name_candidates_query().order_by(None).subquery())) or 0


class TaxMatchError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def confirm_name_match(taxpayer: str, project: Project, *, by: User) -> int:
    """An officer confirms a taxpayer is the project's company: its records are linked to the project, and the
    project learns the taxpayer's credit code if it had none (so the next import matches by code)."""
    from crm.projects.services import _audit as audit_project

    company_keys = set(db.session.scalars(select(TaxRecord.company_key).where(
        TaxRecord.taxpayer_key == taxpayer, TaxRecord.project_id.is_(None)).distinct()))
    if project.company_key not in company_keys:
        raise TaxMatchError(_l("This taxpayer is not waiting for confirmation any more; reload the list."))
    credit = db.session.scalar(select(func.min(TaxRecord.credit_code)).where(TaxRecord.taxpayer_key == taxpayer))
    if credit and project.credit_code and credit != project.credit_code:
        raise TaxMatchError(_l("The project has another credit code; correct the project first."))
    result = db.session.execute(
        update(TaxRecord).where(TaxRecord.taxpayer_key == taxpayer, TaxRecord.project_id.is_(None))
        .values(project_id=project.id, updated_at=utcnow()).execution_options(synchronize_session=False))
    if credit and not project.credit_code:
        audit_project(project, "field", by=by, field="credit_code", old=None, new=credit,
                      note="tax name match confirmed")
        project.credit_code = credit
    audit_project(project, "field", by=by, field="tax_link", new=taxpayer,
                  note=f"{result.rowcount} tax records linked by name")
    db.session.flush()
    return result.rowcount or 0


def reject_name_match(taxpayer: str, project: Project, *, by: User) -> None:
    """Not the same company: the pair leaves the confirmation list for good."""
    exists = db.session.scalar(select(TaxNameRejection.id).where(
        TaxNameRejection.taxpayer_key == taxpayer, TaxNameRejection.project_id == project.id))
    if exists is None:
        db.session.add(TaxNameRejection(taxpayer_key=taxpayer, project_id=project.id, user_id=by.id if by else None))
        db.session.flush()
