"""Lead pages through the test client: who may do what, forms, conflicts, bad input."""

import re
from datetime import timedelta

import pytest

from crm.core.formatting import local_today
from crm.extensions import db as _db
from crm.leads.models import Activity, Lead, LeadEvent
from tests.factories import make_lead, make_user

VALID_LEAD = {
    "kind": "factory_rental", "source": "hotline", "company_name": "株洲智造电子有限公司", "contact_name": "周经理",
    "mobile": "13973312345", "priority": "2",
}


def count(model) -> int:
    return _db.session.scalar(_db.select(_db.func.count()).select_from(model))


@pytest.mark.parametrize("url", ["/leads", "/leads/new", "/leads/my-day", "/leads/1", "/leads/1/edit",
                                 "/admin/users"])
def test_pages_need_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role, url, expected", [
    ("officer", "/leads", 200), ("manager", "/leads", 200), ("admin", "/leads", 200),
    ("officer", "/leads/new", 200), ("officer", "/leads/my-day", 200),
    ("officer", "/admin/users", 403), ("manager", "/admin/users", 403), ("admin", "/admin/users", 200),
])
def test_pages_by_role(client, login, role, url, expected):
    login(make_user(role))
    assert client.get(url).status_code == expected


def test_officer_sees_but_cannot_edit_another_officers_lead(client, login):
    owner, other = make_user(), make_user()
    lead = make_lead(by=owner)
    login(other)
    page = client.get(f"/leads/{lead.id}")
    assert page.status_code == 200 and lead.company_name in page.get_data(as_text=True)
    assert client.get(f"/leads/{lead.id}/edit").status_code == 403
    assert client.post(f"/leads/{lead.id}/stage", data={"stage": "contacted"}).status_code == 403
    assert client.post(f"/leads/{lead.id}/activities", data={"kind": "call", "outcome": "x"}).status_code == 403
    assert client.post(f"/leads/{lead.id}/assign", data={"owner_id": str(other.id)}).status_code == 403
    _db.session.refresh(lead)
    assert lead.owner_id == owner.id and lead.stage == "enquiry"


def test_unknown_lead_is_404(client, login):
    login(make_user())
    assert client.get("/leads/99999").status_code == 404


def test_officer_creates_a_lead_and_owns_it(client, login):
    officer = login(make_user())
    response = client.post("/leads/new", data=VALID_LEAD)
    assert response.status_code == 302
    lead = _db.session.scalars(_db.select(Lead)).one()
    assert lead.owner_id == officer.id and lead.mobile == "+8613973312345" and lead.source == "hotline"


@pytest.mark.parametrize("field, value", [
    ("company_name", ""), ("contact_name", ""), ("kind", "castle"), ("source", "carrier_pigeon"),
    ("mobile", "0731-2888888"), ("mobile", "abc"), ("credit_code", "91430200MA4L1234XX"),
    ("planned_investment_wan", "-5"), ("planned_investment_wan", "lots"), ("planned_investment_wan", "1e400"),
    ("planned_investment_wan", "NaN"), ("land_mu", "999999999"), ("jobs", "3.5"), ("email", "not-an-email"),
    ("company_name", "x" * 5000), ("next_action_due", "2026-13-45"), ("priority", "9"),
])
def test_bad_lead_input_is_refused_with_a_message(client, login, field, value):
    login(make_user())
    response = client.post("/leads/new", data={**VALID_LEAD, field: value})
    assert response.status_code == 400
    assert "invalid-feedback" in response.get_data(as_text=True)
    assert count(Lead) == 0


def test_nul_bytes_and_markup_are_harmless(client, login):
    login(make_user())
    response = client.post("/leads/new", data={**VALID_LEAD, "company_name": "恶意\x00公司<script>alert(1)</script>",
                                               "message": "<b>hi</b>\x00"})
    assert response.status_code == 302
    lead = _db.session.scalars(_db.select(Lead)).one()
    assert "\x00" not in lead.company_name
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_csrf_is_required(client, login):
    login(make_user())
    response = client.post("/leads/new", data=VALID_LEAD, csrf=False)
    assert response.status_code == 400
    assert count(Lead) == 0


def test_claim_then_log_call_and_visit_then_move_to_negotiation(client, login):
    manager = make_user("manager")
    lead = make_lead(by=None)
    officer = login(make_user())
    assert client.post(f"/leads/{lead.id}/claim").status_code == 302
    assert client.post(f"/leads/{lead.id}/stage", data={"stage": "contacted"}).status_code == 302
    for kind in ("call", "visit"):
        response = client.post(f"/leads/{lead.id}/activities", data={"kind": kind, "outcome": f"{kind} 记录"})
        assert response.status_code == 302
    for stage in ("site_visit", "negotiation"):
        assert client.post(f"/leads/{lead.id}/stage", data={"stage": stage}).status_code == 302
    _db.session.refresh(lead)
    assert (lead.owner_id, lead.stage) == (officer.id, "negotiation")
    refused = client.post(f"/leads/{lead.id}/stage", data={"stage": "signed"})
    assert refused.status_code == 422
    assert re.search(r"planned investment|计划投资", refused.get_data(as_text=True))
    _db.session.refresh(lead)
    assert lead.stage == "negotiation"
    timeline = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "call 记录" in timeline and "visit 记录" in timeline
    del manager


def test_lost_without_reason_is_refused(client, login):
    officer = login(make_user())
    lead = make_lead(by=officer)
    assert client.post(f"/leads/{lead.id}/stage", data={"stage": "lost", "reason": ""}).status_code == 422
    assert client.post(f"/leads/{lead.id}/stage", data={"stage": "lost", "reason": "去了别的园区"}).status_code == 302


def test_unknown_stage_and_activity_kind_are_400(client, login):
    officer = login(make_user())
    lead = make_lead(by=officer)
    assert client.post(f"/leads/{lead.id}/stage", data={"stage": "won"}).status_code == 400
    assert client.post(f"/leads/{lead.id}/activities", data={"kind": "telepathy", "outcome": "x"}).status_code == 400
    assert count(Activity) == 0


def test_manager_assigns_owner(client, login):
    login(make_user("manager"))
    officer = make_user()
    lead = make_lead(by=None)
    assert client.post(f"/leads/{lead.id}/assign", data={"owner_id": str(officer.id)}).status_code == 302
    _db.session.refresh(lead)
    assert lead.owner_id == officer.id
    assert client.post(f"/leads/{lead.id}/assign", data={"owner_id": "424242"}).status_code == 400


def test_edit_conflict_shows_both_values_and_keeps_input(client, login, app):
    officer = login(make_user())
    lead = make_lead(by=officer, timing="2027年")
    form_page = client.get(f"/leads/{lead.id}/edit").get_data(as_text=True)
    seen_version = re.search(r'name="version" type="hidden" value="(\d+)"', form_page).group(1)
    # A colleague (a manager) saves in between.
    from crm.leads import services

    services.update_lead(lead, {"timing": "2026年底"}, by=make_user("manager"), expected_version=lead.version)
    _db.session.commit()
    mine = {**VALID_LEAD, "company_name": lead.company_name, "contact_name": lead.contact_name,
            "mobile": lead.mobile, "timing": "明年三月", "version": seen_version}
    response = client.post(f"/leads/{lead.id}/edit", data=mine)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "明年三月" in html and "2026年底" in html
    _db.session.refresh(lead)
    assert lead.timing == "2026年底"
    # Saving again from the conflict page (now based on the current version) goes through.
    new_version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    assert client.post(f"/leads/{lead.id}/edit", data={**mine, "version": new_version}).status_code == 302
    _db.session.refresh(lead)
    assert lead.timing == "明年三月"


def test_list_search_filters_and_pagination(client, login, app):
    officer = login(make_user())
    other = make_user()
    target = make_lead(by=officer, company_name="湖南意华交通装备股份有限公司", mobile="13811112222", kind="land")
    for _ in range(55):
        make_lead(by=other, commit=False)
    _db.session.commit()
    page1 = client.get("/leads").get_data(as_text=True)
    assert page1.count('href="/leads/') >= 50
    assert "56" in page1
    for q in ("意华", "意华交通装备有限公司", "1111", target.reference, "13811112222"):
        html = client.get("/leads", query_string={"q": q}).get_data(as_text=True)
        assert target.company_name in html, q
    html = client.get("/leads", query_string={"kind": "land"}).get_data(as_text=True)
    assert target.company_name in html and "测试企业" not in html
    html = client.get("/leads", query_string={"owner": "me"}).get_data(as_text=True)
    assert target.company_name in html and "测试企业" not in html
    assert client.get("/leads", query_string={"page": "999", "created_from": "garbage", "sort": "x"}).status_code == 200


def test_my_day_lists_overdue_due_today_and_unassigned(client, login):
    officer = login(make_user())
    today = local_today()
    overdue = make_lead(by=officer, next_action="回访", next_action_due=today - timedelta(days=2))
    due = make_lead(by=officer, next_action="发报价", next_action_due=today)
    later = make_lead(by=officer, next_action="以后", next_action_due=today + timedelta(days=5))
    waiting = make_lead(by=None)
    html = client.get("/leads/my-day").get_data(as_text=True)
    for lead in (overdue, due, waiting):
        assert lead.company_name in html
    assert later.company_name not in html


def test_timeline_shows_audit_of_field_changes(client, login):
    officer = login(make_user())
    lead = make_lead(by=officer)
    data = {**VALID_LEAD, "company_name": lead.company_name, "contact_name": lead.contact_name,
            "mobile": lead.mobile, "jobs": "120", "version": str(lead.version)}
    assert client.post(f"/leads/{lead.id}/edit", data=data).status_code == 302
    event = _db.session.scalars(_db.select(LeadEvent).where(LeadEvent.field == "jobs")).one()
    assert (event.old_value, event.new_value, event.user_id) == (None, "120", officer.id)
    assert "120" in client.get(f"/leads/{lead.id}").get_data(as_text=True)


def test_inactive_user_cannot_sign_in_and_deactivation_ends_sessions(client, login, app):
    admin = make_user("admin")
    officer = login(make_user())
    assert client.get("/leads").status_code == 200
    from crm.auth import services as accounts

    accounts.set_active(officer, False, by=admin)
    _db.session.commit()
    assert client.get("/leads").status_code == 302  # the running session is over
    response = client.post("/login", data={"email": officer.email, "password": "pass-1234"})
    assert response.status_code == 401


def test_logout_needs_post_and_signs_out(client, login):
    login(make_user())
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/leads").status_code == 302


@pytest.mark.parametrize("url", ["/leads/99999999999999999999", "/leads/2147483648/edit"])
def test_huge_ids_are_404(client, login, url):
    login(make_user())
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("query", [{"page": "99999999999999999999"}, {"q": "a\x00b"}, {"stage": "\x00"},
                                   {"industry": "\x00"}])
def test_hostile_list_queries_are_never_500(client, login, query):
    login(make_user())
    assert client.get("/leads", query_string=query).status_code in (200, 400)


def test_search_wildcards_are_literal(client, login):
    officer = login(make_user())
    make_lead(by=officer, company_name="株洲信息港建设有限公司")
    html = client.get("/leads", query_string={"q": "%"}).get_data(as_text=True)
    assert "株洲信息港" not in html
