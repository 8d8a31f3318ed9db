"""An admin exports everything held about one enquirer, or erases it keeping the statistics; both audited."""

import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from privacy_helpers import MOBILE, confidential_lead, owned_lead, page
from sqlalchemy import func, select

from crm.extensions import db
from crm.leads import services as leads
from crm.leads.models import Activity, Lead, LeadEvent
from crm.notifications.models import Notification
from crm.privacy import services
from crm.privacy.models import PrivacyEvent
from tests.factories import make_lead, make_user


def _enquirer(people):
    """Two leads of one investor (same mobile), with activities, field changes and notices; one other lead."""
    first = owned_lead(people.owner, planned_investment_wan=Decimal("50000"), land_mu=Decimal("80"),
                       expected_tax_wan=Decimal("3000"))
    leads.log_activity(first, kind="call", outcome="王总说下周来看地", by=people.owner,
                       next_action="带王总看B3地块")
    leads.update_lead(first, {"email": "jianguo@xingchi-power.cn", "timing": "2027年"}, by=people.owner,
                      expected_version=first.version)
    second = make_lead(by=None, company_name="星驰动力（株洲）有限公司", contact_name="王建国", mobile=MOBILE,
                       source="web_form")
    leads.assign_lead(second, people.other, by=people.manager)
    bystander = make_lead(by=people.other, company_name="株洲信息港科技有限公司", mobile="+8613911112222")
    db.session.commit()
    return first, second, bystander


@pytest.mark.parametrize("typed", ["13807312345", "138 0731 2345", "+86 138-0731-2345"])
def test_an_enquirer_is_found_by_mobile_however_typed(people, typed):
    first, second, _bystander = _enquirer(people)
    search = services.find_enquirer(typed)
    assert search.kind == "mobile" and [lead.id for lead in search.leads] == [first.id, second.id]
    assert search.subject == "mobile +86138****2345"  # the audit never holds the number itself


def test_an_enquirer_is_found_by_email_or_by_one_of_their_references(people):
    first, second, _bystander = _enquirer(people)
    assert [lead.id for lead in services.find_enquirer("JIANGUO@xingchi-power.cn").leads] == [first.id]
    assert [lead.id for lead in services.find_enquirer(second.reference).leads] == [first.id, second.id]
    assert services.find_enquirer("星驰").kind == "none"
    assert services.find_enquirer("").leads == []


def test_the_json_export_holds_everything_and_is_audited(people, browser_as, artifacts):
    first, second, bystander = _enquirer(people)
    admin = browser_as(people.admin)
    response = admin.post("/admin/privacy/export", data={"q": "13807312345", "format": "json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    (artifacts / "privacy-export.json").write_bytes(response.data)
    bundle = json.loads(response.data)
    assert [lead["id"] for lead in bundle["leads"]] == [first.id, second.id]
    assert bundle["leads"][0]["mobile"] == MOBILE and bundle["leads"][0]["reference"] == first.reference
    assert bundle["leads"][0]["consent_version"] == "2026-11"
    assert "个人信息处理说明" in bundle["leads"][0]["consent_text"]["zh"]
    assert [a["outcome"] for a in bundle["activities"]] == ["王总说下周来看地"]
    fields = {e["field"] for e in bundle["audit_events"]}
    assert {"email", "timing", "stage", "owner_id"} <= fields
    kinds = {(n["lead_id"], n["kind"]) for n in bundle["notifications"]}
    assert (second.id, "assigned") in kinds and (first.id, "collision") in kinds
    assert bystander.id not in {row["lead_id"] for row in bundle["activities"] + bundle["audit_events"]}

    [event] = db.session.scalars(select(PrivacyEvent)).all()
    assert event.action == "export" and event.user_id == people.admin.id
    assert event.ids == [first.id, second.id] and event.subject == "mobile +86138****2345"
    assert event.details["format"] == "json" and event.details["counts"]["leads"] == 2
    assert "13807312345" not in (event.subject + event.detail)
    assert "手机号 +86138****2345" in page(admin, "/admin/privacy")


def test_the_excel_export_has_one_sheet_per_part(people, browser_as):
    first, _second, _bystander = _enquirer(people)
    leads.log_activity(first, kind="note", outcome="=HYPERLINK(\"http://evil\")\x07", by=people.owner)
    db.session.commit()
    response = browser_as(people.admin).post("/admin/privacy/export", data={"q": first.reference,
                                                                          "format": "xlsx"})
    assert response.status_code == 200 and response.data[:2] == b"PK"
    workbook = load_workbook(io.BytesIO(response.data))
    assert {"leads", "activities", "audit_events", "notifications", "privacy_events"} <= set(workbook.sheetnames)
    sheet = workbook["leads"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[0] == "id" and "mobile" in headers
    assert sheet.cell(row=2, column=headers.index("mobile") + 1).value == MOBILE
    outcomes = [row[0].value for row in workbook["activities"].iter_rows(min_row=2)
                if row[0].value is not None]
    assert outcomes  # rows are there
    formula = [c.value for row in workbook["activities"].iter_rows(min_row=2) for c in row
               if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert formula and all(c.data_type == "s" for row in workbook["activities"].iter_rows(min_row=2) for c in row
                           if isinstance(c.value, str) and c.value.startswith("="))


def test_erasing_anonymises_the_person_and_keeps_the_statistics(people, browser_as):
    first, second, bystander = _enquirer(people)
    token = first.status_token
    before = dict(db.session.execute(select(Lead.stage, func.count()).group_by(Lead.stage)).all())
    admin = browser_as(people.admin)
    response = admin.post("/admin/privacy/erase", data={"q": "13807312345", "confirm": "y",
                                                        "reason": "投资人2026年11月30日来电要求删除"})
    assert response.status_code == 302
    db.session.expire_all()
    for lead in (db.session.get(Lead, first.id), db.session.get(Lead, second.id)):
        assert lead.company_name == "（已删除）" and lead.contact_name == "（已删除）"
        assert lead.mobile is None and lead.email is None and lead.message is None and lead.credit_code is None
        assert lead.intended_use is None and lead.next_action is None
        assert services.is_erased(lead)
    kept = db.session.get(Lead, first.id)
    assert kept.planned_investment_wan == Decimal("50000") and kept.land_mu == Decimal("80")
    assert kept.kind == first.kind and kept.stage == first.stage and kept.created_at == first.created_at
    assert kept.owner_id == people.owner.id and kept.timing == "2027年"
    assert dict(db.session.execute(select(Lead.stage, func.count()).group_by(Lead.stage)).all()) == before

    [activity] = db.session.scalars(select(Activity).where(Activity.lead_id == first.id)).all()
    assert activity.outcome == "" and activity.next_action is None and activity.kind == "call"
    personal = db.session.scalars(select(LeadEvent).where(LeadEvent.lead_id.in_([first.id, second.id]),
                                                          LeadEvent.field == "email")).all()
    assert personal and all(e.old_value is None and e.new_value is None for e in personal)
    timing = db.session.scalar(select(LeadEvent).where(LeadEvent.lead_id == first.id, LeadEvent.field == "timing"))
    assert timing.new_value == "2027年"  # not personal: kept
    assert all(n.payload == "{}" for n in db.session.scalars(select(Notification)
                                                              .where(Notification.lead_id == second.id)))
    untouched = db.session.get(Lead, bystander.id)
    assert untouched.company_name == "株洲信息港科技有限公司" and untouched.mobile == "+8613911112222"

    [event] = db.session.scalars(select(PrivacyEvent)).all()
    assert event.action == "erase" and event.reason == "投资人2026年11月30日来电要求删除"
    assert event.ids == [first.id, second.id] and event.details["counts"]["leads"] == 2
    html = page(admin, "/admin/privacy")
    assert "投资人2026年11月30日来电要求删除" in html and "13807312345" not in html
    assert admin.get(f"/enquiry/status/{token}").status_code == 404  # the old status link finds nothing
    assert services.find_enquirer("13807312345").leads == []


def test_an_erased_lead_no_longer_collides_with_new_ones(people):
    first, _second, _bystander = _enquirer(people)
    services.erase_enquirer(services.find_enquirer(first.reference).leads, by=people.admin, reason="请求")
    db.session.commit()
    again = make_lead(by=None, company_name="湖南星驰动力科技有限公司", mobile=MOBILE)
    assert again.collides_with_id is None


def test_a_confidential_lead_is_erased_too(people):
    lead = confidential_lead(people.owner)
    services.erase_enquirer([lead], by=people.admin, reason="请求")
    db.session.commit()
    assert lead.company_name == "（已删除）" and not lead.is_confidential


@pytest.mark.parametrize("data, message", [
    ({"reason": "请求"}, "请勾选以确认"),
    ({"confirm": "y"}, "请说明删除原因"),
    ({"reason": "请求", "confirm": "y", "q": "13999999999"}, "未找到此人的线索"),
])
def test_erasure_needs_a_reason_a_confirmation_and_someone_to_erase(people, browser_as, data, message):
    _enquirer(people)
    data = {"q": "13807312345", **data}
    before = db.session.scalar(select(func.count()).select_from(PrivacyEvent))
    response = browser_as(people.admin).post("/admin/privacy/erase", data=data)
    assert response.status_code in (400, 422)
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Lead.mobile).where(Lead.company_name == "湖南星驰动力科技有限公司")) == MOBILE
    assert db.session.scalar(select(func.count()).select_from(PrivacyEvent)) == before


def test_an_unknown_export_format_is_refused(people, browser_as):
    _enquirer(people)
    response = browser_as(people.admin).post("/admin/privacy/export", data={"q": "13807312345", "format": "pdf"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(PrivacyEvent)) == 0


def test_the_privacy_page_lists_what_a_search_finds(people, browser_as):
    first, second, bystander = _enquirer(people)
    html = page(browser_as(people.admin), "/admin/privacy?q=13807312345")
    assert first.reference in html and second.reference in html and bystander.reference not in html
    assert "2026-11" in html  # the consent version each one agreed to
    assert "未找到此人的线索" in page(browser_as(people.admin), "/admin/privacy?q=13999999999")
    assert "请输入手机号" in page(browser_as(people.admin), "/admin/privacy?q=星驰")


@pytest.mark.parametrize("role", ["officer", "manager"])
def test_only_admins_export_or_erase(people, browser_as, role):
    _enquirer(people)
    client = browser_as(make_user(role))
    assert client.get("/admin/privacy").status_code == 403
    assert client.post("/admin/privacy/export", data={"q": "13807312345", "format": "json"}).status_code == 403
    assert client.post("/admin/privacy/erase", data={"q": "13807312345", "confirm": "y",
                                                     "reason": "x"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(PrivacyEvent)) == 0


def test_merged_snapshots_and_imported_rows_are_exported_and_erased(people):
    import json as _json

    from crm.imports.models import LeadImport, LeadImportRow
    from crm.leads.aliases import LeadAlias
    from crm.leads.merge import merge_leads

    first, second, _bystander = _enquirer(people)
    merge_leads(first, second, by=people.manager)
    upload = LeadImport(user_id=people.manager.id, filename="expo.xlsx")
    db.session.add(upload)
    db.session.flush()
    db.session.add(LeadImportRow(import_id=upload.id, number=2, cells_json=_json.dumps(["星驰", "13807312345"]),
                                 values_json=_json.dumps({"mobile": MOBILE}), company_name="星驰", lead_id=first.id))
    db.session.commit()
    bundle = services.build_bundle(services.find_enquirer("13807312345").leads)
    assert "王建国" in bundle["merged_leads"][0]["snapshot"]
    assert bundle["import_rows"][0]["company_name"] == "星驰"

    counts = services.erase_enquirer(services.find_enquirer("13807312345").leads, by=people.admin, reason="请求")
    db.session.commit()
    assert counts["merged_leads"] == 1 and counts["import_rows"] == 1
    assert db.session.scalar(select(LeadAlias.snapshot)) == "{}"
    row = db.session.scalar(select(LeadImportRow))
    assert (row.cells_json, row.values_json, row.company_name) == ("[]", None, None)
