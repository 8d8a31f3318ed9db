"""Tax import: matching, all-or-nothing, idempotency, validation report, name confirmation."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.core.spreadsheets import CellError, SpreadsheetError
from crm.extensions import db
from crm.projects.models import Project, ProjectEvent
from crm.tax import services
from crm.tax.models import TaxImport, TaxRecord
from crm.tax.vocabulary import parse_period
from tests.factories import make_user
from tests.projects.kit import credit_code, csv_bytes, make_project, xlsx_bytes

HEADERS_ZH = ["统一社会信用代码", "企业名称", "所属期", "税额（万元）", "税种"]
HEADERS_EN = ["Credit code", "Company name", "Period", "Amount (10k yuan)", "Tax kind"]


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context("/?lang=en"):
        yield


def counts() -> tuple[int, int, Decimal]:
    return (db.session.scalar(select(func.count(TaxRecord.id))),
            db.session.scalar(select(func.count(TaxImport.id))),
            db.session.scalar(select(func.coalesce(func.sum(TaxRecord.amount_wan), 0))))


def test_parse_period_spellings():
    cases = {"2025Q1": "2025Q1", "2025-q3": "2025Q3", "Q4 2024": "2024Q4", "2025年第一季度": "2025Q1",
             "2025年3季度": "2025Q3", "2025-03": "2025-03", "2025年11月": "2025-11", "202512": "2025-12",
             "2025/3/31": "2025-03", 202501: "2025-01", date(2025, 6, 30): "2025-06"}
    for raw, code in cases.items():
        assert parse_period(raw, today=date(2026, 1, 1)).code == code, raw
    for bad in ("2025Q5", "二〇二五", "2025-13", "1999Q1", "2030Q1"):
        with pytest.raises(CellError):
            parse_period(bad, today=date(2026, 1, 1))


def test_import_links_by_credit_code_and_keeps_other_taxpayers(db):
    project = make_project(credit_code=credit_code(1))
    data = xlsx_bytes([HEADERS_ZH,
                       [credit_code(1), "湖南意华交通装备股份有限公司", "2025Q1", 120.5, "增值税"],
                       [credit_code(1), "湖南意华交通装备股份有限公司", "2025Q1", 30, "企业所得税"],
                       [credit_code(2), "别的公司", "2025Q1", 8, "增值税"]])
    report = services.import_tax(data, "tax.xlsx", by=make_user("manager"))
    db.session.commit()
    assert (report.rows, report.inserted, report.matched, report.taxpayers) == (3, 3, 2, 2)
    assert counts()[0] == 3
    linked = db.session.scalars(select(TaxRecord.kind).where(TaxRecord.project_id == project.id)).all()
    assert sorted(linked) == ["corporate_income", "vat"]
    log = db.session.scalar(select(TaxImport))
    assert (log.rows, log.inserted, log.matched, log.file_sha256) == (3, 3, 2, report.sha256)


def test_the_same_file_twice_changes_nothing(db):
    make_project(credit_code=credit_code(1))
    data = csv_bytes([HEADERS_EN, [credit_code(1), "Yihua", "2025Q1", "10.5", "VAT"],
                      [credit_code(1), "Yihua", "2025Q2", "11", "VAT"]])
    services.import_tax(data, "tax.csv", by=None)
    db.session.commit()
    before = counts()
    updated_at = db.session.scalars(select(TaxRecord.updated_at).order_by(TaxRecord.id)).all()
    report = services.import_tax(data, "tax.csv", by=None)
    db.session.commit()
    assert (report.inserted, report.updated, report.unchanged, report.changed) == (0, 0, 2, False)
    assert counts() == before
    assert db.session.scalars(select(TaxRecord.updated_at).order_by(TaxRecord.id)).all() == updated_at


def test_a_corrected_file_updates_only_what_changed(db):
    rows = [HEADERS_EN, [credit_code(1), "A", "2025Q1", "10", ""], [credit_code(1), "A", "2025Q2", "11", ""]]
    services.import_tax(csv_bytes(rows), "a.csv", by=None)
    rows[2][3] = "12.25"
    report = services.import_tax(csv_bytes(rows), "a.csv", by=None)
    db.session.commit()
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 1)
    assert counts()[2] == Decimal("22.25")
    assert db.session.scalar(select(TaxRecord.kind).limit(1)) == "total"


def test_invalid_rows_are_reported_by_number_and_nothing_is_written(db):
    make_project(credit_code=credit_code(1))
    data = xlsx_bytes([["2025年一季度重点企业税收"], HEADERS_ZH,
                       [credit_code(1), "意华", "2025Q1", 10, "增值税"],
                       [credit_code(1), "意华", "2025Q1", "十万", "增值税"],
                       ["91430200ABCDEFGHIJ", "坏代码", "2025Q1", 1, "增值税"],
                       [credit_code(3), "期间错", "2025年第五季度", 1, "增值税"],
                       [None, None, "2025Q1", 1, "增值税"],
                       [credit_code(4), "税种错", "2025Q1", 1, "关税"],
                       [credit_code(1), "意华", "2025Q1", 10, "增值税"]])
    with pytest.raises(services.TaxImportRefused) as err:
        services.import_tax(data, "bad.xlsx", by=None)
    db.session.rollback()
    report = err.value.report
    assert report.rows == 7 and report.error_rows == 6
    by_row = {e.row: (e.column, e.reason) for e in report.errors}
    assert set(by_row) == {4, 5, 6, 7, 8, 9}
    assert by_row[4][0] == "Amount (10k yuan)" and "十万" in by_row[4][1]
    assert by_row[5][0] == "Unified social credit code"
    assert by_row[6][0] == "Period"
    assert "neither" in by_row[7][1]
    assert by_row[8][0] == "Tax kind"
    assert "repeats row 3" in by_row[9][1]
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("data,name,fragment", [
    (b"", "empty.xlsx", "empty"),
    (csv_bytes([["企业名称", "税额"], ["A", 1]]), "x.csv", "missing"),
    (csv_bytes([["所属期", "税额（万元）"], ["2025Q1", 1]]), "x.csv", "company name"),
    (csv_bytes([HEADERS_ZH]), "x.csv", "no data rows"),
    (b"%PDF-1.7 not a sheet", "tax.xlsx", "not a real Excel"),
    (b"MZ\x90\x00 binary", "tax.exe", ".xlsx"),
])
def test_bad_files_are_refused_and_change_nothing(db, data, name, fragment):
    with pytest.raises(SpreadsheetError) as err:
        services.import_tax(data, name, by=None)
    db.session.rollback()
    assert fragment in str(err.value)
    assert counts() == (0, 0, 0)


def test_months_and_quarters_never_mix_for_one_company(db):
    services.import_tax(csv_bytes([HEADERS_EN, [credit_code(5), "M", "2025-01", "1", "VAT"]]), "m.csv", by=None)
    db.session.commit()
    with pytest.raises(services.TaxImportRefused) as err:
        services.import_tax(csv_bytes([HEADERS_EN, [credit_code(5), "M", "2025Q1", "3", "VAT"]]), "q.csv", by=None)
    db.session.rollback()
    assert "by month" in err.value.report.errors[0].reason
    with pytest.raises(services.TaxImportRefused):
        services.import_tax(csv_bytes([HEADERS_EN, [credit_code(6), "N", "2025-01", "1", "VAT"],
                                       [credit_code(6), "N", "2025Q2", "1", "VAT"]]), "mix.csv", by=None)
    db.session.rollback()
    assert counts()[0] == 1


def test_name_matches_wait_for_confirmation(db):
    manager = make_user("manager")
    project = make_project(company_name="湖南智点科技有限公司", by=manager)
    other = make_project(company_name="株洲信息港建设有限公司", credit_code=credit_code(8), by=manager)
    data = csv_bytes([HEADERS_ZH,
                      [credit_code(9), "株洲智点科技有限公司", "2025Q1", "5", "增值税"],
                      [credit_code(9), "株洲智点科技有限公司", "2025Q2", "6", "增值税"],
                      [credit_code(10), "株洲信息港建设有限公司", "2025Q1", "7", "增值税"],
                      ["", "完全无关公司", "2025Q1", "1", "增值税"]])
    report = services.import_tax(data, "names.csv", by=manager)
    db.session.commit()
    assert report.matched == 0  # nothing linked by name automatically
    candidates = services.name_candidates()
    # 信息港 has a different credit code on the project: not a candidate.
    assert [(c.company_name, c.project_id, c.rows, Decimal(str(c.total_wan))) for c in candidates] == [
        ("株洲智点科技有限公司", project.id, 2, Decimal("11"))]
    linked = services.confirm_name_match(candidates[0].taxpayer_key, project, by=manager)
    db.session.commit()
    assert linked == 2
    assert db.session.get(Project, project.id).credit_code == credit_code(9)
    assert services.count_name_candidates() == 0
    assert db.session.scalar(select(func.count(ProjectEvent.id)).where(
        ProjectEvent.project_id == project.id, ProjectEvent.field == "credit_code")) == 1
    # The next import matches by the credit code the project just learnt.
    again = services.import_tax(csv_bytes([HEADERS_ZH, [credit_code(9), "株洲智点科技有限公司", "2025Q3", "4", ""]]),
                                "q3.csv", by=manager)
    assert again.matched == 1
    assert other.id


def test_a_rejected_name_match_leaves_the_list(db):
    manager = make_user("manager")
    project = make_project(company_name="瑞邦医疗器械有限公司", by=manager)
    services.import_tax(csv_bytes([HEADERS_ZH, ["", "瑞邦医疗器械有限公司", "2025Q1", "3", ""]]), "r.csv", by=manager)
    db.session.commit()
    (candidate,) = services.name_candidates()
    assert candidate.taxpayer_key.startswith("name:")
    services.reject_name_match(candidate.taxpayer_key, project, by=manager)
    db.session.commit()
    assert services.name_candidates() == []
    assert db.session.scalar(select(TaxRecord.project_id)) is None


def test_setting_a_credit_code_on_a_project_links_its_earlier_tax(db):
    from crm.projects.services import update_project

    manager = make_user("manager")
    project = make_project(by=manager)
    services.import_tax(csv_bytes([HEADERS_ZH, [credit_code(11), "X", "2025Q1", "3", ""]]), "x.csv", by=manager)
    update_project(project, {"credit_code": credit_code(11)}, by=manager, expected_version=project.version)
    db.session.commit()
    assert db.session.scalar(select(TaxRecord.project_id)) == project.id
    update_project(project, {"credit_code": credit_code(12)}, by=manager, expected_version=project.version)
    db.session.commit()
    assert db.session.scalar(select(TaxRecord.project_id)) is None


def test_the_cli_imports_and_reports(app, db, tmp_path):
    make_project(credit_code=credit_code(1))
    good = tmp_path / "tax.csv"
    good.write_bytes(csv_bytes([HEADERS_EN, [credit_code(1), "A", "2025Q1", "10", "VAT"]]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["crm", "import-tax", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output and "1 linked" in result.output
    result = runner.invoke(args=["crm", "import-tax", str(good)])
    assert "Nothing changed" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([HEADERS_EN, [credit_code(1), "A", "2025Q2", "abc", "VAT"]]))
    result = runner.invoke(args=["crm", "import-tax", str(bad)])
    assert result.exit_code == 1 and "row 2" in result.output
    db.session.expire_all()
    assert counts()[0] == 1
