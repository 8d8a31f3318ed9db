"""Exports of the lead list: its filters, the reader's language, labels for codes, and a round trip
through the lead import (export → import the file → the same companies)."""

import csv
import io
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from crm.extensions import db
from crm.imports import services as imports
from crm.imports.models import LeadImportRow
from crm.leads.models import Lead
from tests.factories import make_industry, make_lead, make_user


def _workbook(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8 Chinese
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def _leads(manager):
    make_industry("nev", "新能源汽车", "New-energy vehicles")
    signed = make_lead(by=manager, company_name="湖南星驰动力科技有限公司", kind="land", industry_code="nev",
                       planned_investment_wan=Decimal("50000"), land_mu=Decimal("80.5"), stage="negotiation")
    fresh = make_lead(by=manager, company_name="=HYPERLINK(\"http://evil\")有限公司", kind="office")
    return signed, fresh


def test_xlsx_follows_the_filters_and_shows_labels_in_chinese(client, login):
    manager = login(make_user("manager"))
    signed, fresh = _leads(manager)
    rows = _workbook(client.get("/leads/export.xlsx?stage=negotiation"))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["编号", "企业名称", "联系人", "手机号"]
    assert len(body) == 1
    values = dict(zip(header, body[0]))  # noqa: B905 (read-only rows stop at their last value)
    assert values["编号"] == signed.reference and values["企业名称"] == "湖南星驰动力科技有限公司"
    assert (values["需求类型"], values["产业链"], values["阶段"]) == ("购置土地", "新能源汽车", "洽谈")
    assert values["计划投资（万元）"] == 50000 and values["用地（亩）"] == 80.5
    assert isinstance(values["创建日期"], datetime)
    assert fresh.reference not in [row[0] for row in body]


def test_xlsx_headers_in_english_and_text_never_a_formula(client, login):
    manager = login(make_user("manager"))
    _signed, fresh = _leads(manager)
    response = client.get("/leads/export.xlsx?lang=en&kind=office")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["Reference", "Company", "Contact person"]
    cell = sheet["B2"]
    assert cell.value == fresh.company_name and cell.data_type == "s"
    assert sheet["G2"].value == "Office space"


def test_csv_has_a_bom_labels_and_defused_formulas(client, login):
    manager = login(make_user("manager"))
    signed, fresh = _leads(manager)
    rows = _csv(client.get("/leads/export.csv?lang=en&sort=oldest"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Reference", "Company", "Contact person"]
    assert [row[0] for row in body] == [signed.reference, fresh.reference]
    assert body[0][header.index("Need")] == "Buy land"
    assert body[0][header.index("Planned investment (10k yuan)")] == "50000"
    assert body[1][header.index("Company")].startswith("'=")  # Excel will not run it
    assert body[0][header.index("Mobile")] == "'" + signed.mobile  # "+86..." is text, not a sum


def test_officers_get_other_officers_mobiles_masked(client, login):
    officer, colleague = make_user("officer"), make_user("officer")
    mine = make_lead(by=officer, owner=officer)
    theirs = make_lead(by=colleague, owner=colleague)
    login(officer)
    rows = _csv(client.get("/leads/export.csv?lang=en"))
    mobiles = {row[0]: row[rows[0].index("Mobile")] for row in rows[1:]}
    assert mobiles[mine.reference] == "'" + mine.mobile
    assert "****" in mobiles[theirs.reference]


def test_signed_out_visitors_get_no_export(client):
    assert client.get("/leads/export.csv").status_code == 302
    assert client.get("/leads/export.xlsx").status_code == 302


def test_the_list_page_offers_exports_with_its_filters(client, login):
    login(make_user("officer"))
    page = client.get("/leads?stage=open&q=%E6%98%9F&page=2").get_data(as_text=True)
    assert "/leads/export.xlsx?stage=open&amp;q=%E6%98%9F" in page or \
        "/leads/export.xlsx?q=%E6%98%9F&amp;stage=open" in page
    assert "page=2" not in page.split("export-buttons", 1)[1].split("</div>", 1)[0]


def _round_trip(client, manager, path: str, filename: str):
    originals = {lead.company_name for lead in db.session.scalars(select(Lead))}
    data = client.get(path).data
    lead_import = imports.stage_upload(data, filename, by=manager)
    counts = imports.apply_mapping(lead_import, lead_import.mapping, lead_import.defaults, by=manager,
                                   language="zh")
    # Every exported row is recognised as the lead it came from.
    assert counts["collision"] == len(originals) and counts["error"] == 0
    for row in db.session.scalars(select(LeadImportRow)):
        assert db.session.get(Lead, row.match_lead_id).company_name == row.company_name
    imports.set_choice_for_all(lead_import, "collision", "create", by=manager)
    imports.commit_import(lead_import, by=manager)
    db.session.commit()
    copies = [lead for lead in db.session.scalars(select(Lead)) if lead.collides_with_id]
    assert sorted(lead.company_name for lead in copies) == sorted(originals)
    return lead_import, copies


def test_an_xlsx_export_imports_again_as_the_same_companies(client, login):
    manager = login(make_user("manager"))
    signed, _fresh = _leads(manager)
    lead_import, copies = _round_trip(client, manager, "/leads/export.xlsx", "leads.xlsx")
    assert {"company_name", "contact_name", "mobile", "kind", "industry_code", "planned_investment_wan",
            "land_mu", "owner"} <= set(lead_import.mapping)
    copy = next(lead for lead in copies if lead.company_name == signed.company_name)
    assert (copy.kind, copy.industry_code, copy.mobile) == ("land", "nev", signed.mobile)
    assert (copy.planned_investment_wan, copy.land_mu) == (Decimal("50000"), Decimal("80.5"))


def test_a_csv_export_in_english_imports_again_as_the_same_companies(client, login):
    manager = login(make_user("manager"))
    _leads(manager)
    _lead_import, copies = _round_trip(client, manager, "/leads/export.csv?lang=en", "leads.csv")
    assert {lead.kind for lead in copies} == {"land", "office"}
