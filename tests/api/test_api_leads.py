"""GET/PATCH /api/v1/leads: pagination, filters, versions, permissions, and errors that are always JSON."""

from decimal import Decimal

import pytest
from factories import make_lead
from sqlalchemy import func, select

from crm.auth import services as accounts
from crm.leads.models import Lead, LeadEvent


def _user(role, name):
    user = accounts.create_user(f"{name}@zone.gov.cn", role=role, name=name)
    return user


def _assert_json_error(response, status, field=None):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] and isinstance(body["fields"], dict)
    if field:
        assert field in body["fields"], body["fields"]
    return body


def _events(db, lead_id):
    db.session.rollback()
    return list(db.session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead_id, LeadEvent.kind == "field")))


def _reload(db, lead_id) -> Lead:
    db.session.rollback()
    return db.session.get(Lead, lead_id)


# --- list -----------------------------------------------------------------------------------------------

def test_list_is_paginated(client, db, auth):
    for _ in range(7):
        make_lead(commit=False)
    db.session.commit()
    body = client.get("/api/v1/leads?per_page=3&page=2", headers=auth).get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (7, 2, 3, 3)
    last = client.get("/api/v1/leads?per_page=3&page=3", headers=auth).get_json()
    assert len(last["items"]) == 1
    beyond = client.get("/api/v1/leads?per_page=3&page=50", headers=auth).get_json()
    assert beyond["items"] == [] and beyond["total"] == 7
    ids = [item["id"] for page in (1, 2, 3)
           for item in client.get(f"/api/v1/leads?per_page=3&page={page}", headers=auth).get_json()["items"]]
    assert len(ids) == len(set(ids)) == 7


def test_items_carry_the_lead_fields(client, db, auth):
    lead = make_lead(planned_investment_wan=Decimal("12000.50"))
    [item] = client.get("/api/v1/leads", headers=auth).get_json()["items"]
    assert item["id"] == lead.id and item["reference"] == lead.reference and item["version"] == lead.version
    assert item["planned_investment_wan"] == 12000.5
    assert "status_token" not in item and "password_hash" not in str(item)


@pytest.mark.parametrize(("asked", "given"), [("1000", 100), ("0", 50), ("-5", 1), ("abc", 50), ("", 50)])
def test_per_page_is_capped(client, db, auth, asked, given):
    assert client.get(f"/api/v1/leads?per_page={asked}", headers=auth).get_json()["per_page"] == given


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999999999", "1e3"])
def test_odd_pages_are_not_errors(client, db, auth, page):
    response = client.get(f"/api/v1/leads?page={page}", headers=auth)
    assert response.status_code == 200 and response.get_json()["page"] >= 1


def test_filter_by_stage(client, db, auth):
    make_lead(stage="contacted")
    make_lead(stage="signed")
    make_lead()
    items = client.get("/api/v1/leads?stage=contacted", headers=auth).get_json()["items"]
    assert [item["stage"] for item in items] == ["contacted"]
    open_items = client.get("/api/v1/leads?stage=open", headers=auth).get_json()["items"]
    assert sorted(item["stage"] for item in open_items) == ["contacted", "enquiry"]


def test_filter_by_owner(client, db, token_for):
    li, zhang = _user("officer", "li"), _user("officer", "zhang")
    mine, theirs, nobodys = make_lead(owner=li), make_lead(owner=zhang), make_lead()
    headers = token_for(li)

    def ids(owner):
        return [item["id"] for item in client.get(f"/api/v1/leads?owner={owner}", headers=headers).get_json()["items"]]

    assert ids(li.id) == [mine.id]
    assert ids(zhang.id) == [theirs.id]
    assert ids("me") == [mine.id]
    assert ids("none") == [nobodys.id]
    assert sorted(ids("")) == sorted([mine.id, theirs.id, nobodys.id])  # officers see every lead


def test_search_q(client, db, auth):
    target = make_lead(company_name="湖南意华交通装备股份有限公司", mobile="+8613807312345", contact_name="赵敏")
    make_lead(company_name="株洲星驰动力科技有限公司")

    def ids(q):
        return [item["id"] for item in client.get("/api/v1/leads", query_string={"q": q}, headers=auth)
                .get_json()["items"]]

    for q in ("意华", "意华交通装备有限公司", "赵敏", "13807312345", "138 0731 2345", target.reference):
        assert ids(q) == [target.id], q
    assert ids("没有这家公司") == []


@pytest.mark.parametrize(("query", "field"), [
    ({"stage": "won"}, "stage"), ({"stage": "\x00"}, "stage"), ({"owner": "²"}, "owner"),
    ({"owner": "99999999999999999999"}, "owner"), ({"owner": "li"}, "owner"),
])
def test_bad_filters_get_422(client, db, auth, query, field):
    _assert_json_error(client.get("/api/v1/leads", query_string=query, headers=auth), 422, field)


@pytest.mark.parametrize("q", ["\x00", "a\x00b", "%", "_", "'; DROP TABLE lead; --", "x" * 5000, "\\", "ZS-2026-"])
def test_hostile_searches_are_just_searches(client, db, auth, q):
    make_lead()
    response = client.get("/api/v1/leads", query_string={"q": q}, headers=auth)
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 1


# --- one lead -----------------------------------------------------------------------------------------------

def test_get_one_lead_with_its_version(client, db, auth):
    lead = make_lead()
    body = client.get(f"/api/v1/leads/{lead.id}", headers=auth).get_json()
    assert body["id"] == lead.id and body["version"] == lead.version and body["reference"] == lead.reference


@pytest.mark.parametrize("lead_id", ["999999", "0", "2147483648", "99999999999999999999999"])
def test_unknown_lead_is_404_json(client, db, auth, lead_id):
    _assert_json_error(client.get(f"/api/v1/leads/{lead_id}", headers=auth), 404)
    _assert_json_error(client.patch(f"/api/v1/leads/{lead_id}", json={"version": 1}, headers=auth), 404)


@pytest.mark.parametrize("path", ["/api/v1/leads/abc", "/api/v1/leads/-1", "/api/v1/nothing", "/api/v2/leads"])
def test_unknown_paths_are_404_json(client, auth, path):
    response = client.get(path, headers=auth)
    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.mimetype == "application/json" and "error" in response.get_json()


def test_wrong_method_is_405_json(client, db, auth):
    lead = make_lead()
    _assert_json_error(client.delete(f"/api/v1/leads/{lead.id}", headers=auth), 405)
    _assert_json_error(client.put(f"/api/v1/leads/{lead.id}", json={"version": 1}, headers=auth), 405)


# --- PATCH ------------------------------------------------------------------------------------------------------

def test_patch_with_the_current_version_applies_and_is_audited(client, db, api_user, auth):
    lead = make_lead()
    version = lead.version
    response = client.patch(f"/api/v1/leads/{lead.id}", headers=auth, json={
        "version": version, "planned_investment_wan": 52000, "next_action": "寄送园区政策汇编", "jobs": 300})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    lead = _reload(db, lead.id)
    assert body["version"] == lead.version > version
    assert (lead.planned_investment_wan, lead.next_action, lead.jobs) == (Decimal("52000"), "寄送园区政策汇编", 300)
    events = {event.field: event for event in _events(db, lead.id)}
    assert set(events) == {"planned_investment_wan", "next_action", "jobs"}
    assert events["jobs"].user_id == api_user.id and events["jobs"].new_value == "300"
    assert events["planned_investment_wan"].old_value is None


def test_the_version_from_a_patch_response_is_good_for_the_next_patch(client, db, auth):
    lead = make_lead()
    first = client.patch(f"/api/v1/leads/{lead.id}", json={"version": lead.version, "timing": "2026年内"},
                         headers=auth).get_json()
    second = client.patch(f"/api/v1/leads/{lead.id}", json={"version": first["version"], "timing": "2027年"},
                          headers=auth)
    assert second.status_code == 200
    assert client.get(f"/api/v1/leads/{lead.id}", headers=auth).get_json()["version"] == second.get_json()["version"]


def test_a_patch_with_nothing_new_changes_nothing(client, db, auth):
    lead = make_lead()
    response = client.patch(f"/api/v1/leads/{lead.id}", json={"version": lead.version,
                                                              "company_name": lead.company_name}, headers=auth)
    assert response.status_code == 200
    assert _events(db, lead.id) == []


def test_a_stale_version_gets_409_and_changes_nothing(client, db, auth):
    lead = make_lead(timing="明年")
    opened = lead.version  # both editors opened the lead at this version
    current = client.patch(f"/api/v1/leads/{lead.id}", json={"version": opened, "timing": "今年"},
                           headers=auth).get_json()["version"]
    events_before = len(_events(db, lead.id))
    response = client.patch(f"/api/v1/leads/{lead.id}", json={"version": opened, "timing": "后年",
                                                              "jobs": 9}, headers=auth)
    body = _assert_json_error(response, 409, "version")
    assert body.get("version") == current
    lead = _reload(db, lead.id)
    assert (lead.timing, lead.jobs, lead.version) == ("今年", None, current)
    assert len(_events(db, lead.id)) == events_before


@pytest.mark.parametrize("body", [
    {"timing": "今年"}, {"version": None, "timing": "今年"}, {"version": "1", "timing": "今年"},
    {"version": 1.0, "timing": "今年"}, {"version": True, "timing": "今年"}, {"version": [1]},
])
def test_a_missing_or_malformed_version_is_refused(client, db, auth, body):
    lead = make_lead()
    _assert_json_error(client.patch(f"/api/v1/leads/{lead.id}", json=body, headers=auth), 422,
                       None if isinstance(body.get("version"), list) else "version")
    assert _reload(db, lead.id).timing is None


@pytest.mark.parametrize("field", ["stage", "owner_id", "id", "reference", "created_at", "status_token",
                                   "lost_reason", "collides_with_id", "consent", "no_such_field"])
def test_fields_that_cannot_be_patched_get_422(client, db, auth, field):
    lead = make_lead()
    response = client.patch(f"/api/v1/leads/{lead.id}", json={"version": lead.version, field: "x"}, headers=auth)
    _assert_json_error(response, 422, field)
    assert _reload(db, lead.id).version == lead.version


@pytest.mark.parametrize(("changes", "field"), [
    ({"company_name": ""}, "company_name"),
    ({"company_name": None}, "company_name"),
    ({"company_name": "x" * 300}, "company_name"),
    ({"mobile": "0731-12345678"}, "mobile"),
    ({"credit_code": "914403001922038217"}, "credit_code"),
    ({"email": "nope"}, "email"),
    ({"kind": "boat"}, "kind"),
    ({"source": "carrier pigeon"}, "source"),
    ({"priority": 7}, "priority"),
    ({"land_mu": -1}, "land_mu"),
    ({"planned_investment_wan": "NaN"}, "planned_investment_wan"),
    ({"expected_tax_wan": 1e300}, "expected_tax_wan"),
    ({"jobs": -3}, "jobs"),
    ({"jobs": "many"}, "jobs"),
    ({"next_action_due": "2026-13-45"}, "next_action_due"),
    ({"industry_code": "no-such"}, "industry_code"),
    ({"message": {"nested": True}}, "message"),
    ({"company_name": "\ud800"}, "company_name"),
])
def test_invalid_values_get_422_and_change_nothing(client, db, auth, changes, field):
    lead = make_lead()
    response = client.patch(f"/api/v1/leads/{lead.id}", json={"version": lead.version, **changes}, headers=auth)
    _assert_json_error(response, 422, field)
    assert _reload(db, lead.id).version == lead.version
    assert _events(db, lead.id) == []


def test_null_clears_an_optional_field(client, db, auth):
    lead = make_lead(email="old@example.cn")
    response = client.patch(f"/api/v1/leads/{lead.id}", json={"version": lead.version, "email": None}, headers=auth)
    assert response.status_code == 200 and response.get_json()["email"] is None
    assert _reload(db, lead.id).email is None


def test_patched_identity_fields_are_normalised(client, db, auth):
    lead = make_lead()
    response = client.patch(f"/api/v1/leads/{lead.id}", headers=auth, json={
        "version": lead.version, "mobile": "139 2345 6789", "credit_code": "91110000600037341l"})
    assert response.status_code == 200
    assert (response.get_json()["mobile"], response.get_json()["credit_code"]) == ("+8613923456789",
                                                                                   "91110000600037341L")


@pytest.mark.parametrize("body", ["[]", '"x"', "{", "null", "[" * 100_000])
def test_a_patch_body_that_is_not_an_object_gets_422(client, db, auth, body):
    lead = make_lead()
    response = client.patch(f"/api/v1/leads/{lead.id}", data=body,
                            headers={**auth, "Content-Type": "application/json"})
    _assert_json_error(response, 422)


# --- permissions ---------------------------------------------------------------------------------------------

def test_an_officer_cannot_patch_a_colleagues_lead(client, db, token_for):
    li, zhang = _user("officer", "li"), _user("officer", "zhang")
    lead = make_lead(owner=zhang)
    response = client.patch(f"/api/v1/leads/{lead.id}", json={"version": lead.version, "timing": "今年"},
                            headers=token_for(li))
    _assert_json_error(response, 403)
    assert _reload(db, lead.id).timing is None


@pytest.mark.parametrize("owner", ["self", None])
def test_an_officer_patches_own_and_unassigned_leads(client, db, token_for, owner):
    li = _user("officer", "li")
    lead = make_lead(owner=li if owner == "self" else None)
    response = client.patch(f"/api/v1/leads/{lead.id}", json={"version": lead.version, "timing": "今年"},
                            headers=token_for(li))
    assert response.status_code == 200


@pytest.mark.parametrize("changes", [{"is_key": True}, {"sponsoring_leader": "副区长 刘"}])
def test_only_managers_set_key_flags_and_leaders(client, db, token_for, changes):
    li, boss = _user("officer", "li"), _user("manager", "boss")
    lead = make_lead(owner=li)
    _assert_json_error(client.patch(f"/api/v1/leads/{lead.id}", json={"version": lead.version, **changes},
                                    headers=token_for(li)), 403)
    assert _events(db, lead.id) == []
    lead = _reload(db, lead.id)
    assert client.patch(f"/api/v1/leads/{lead.id}", json={"version": lead.version, **changes},
                        headers=token_for(boss)).status_code == 200


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_patch_any_lead(client, db, token_for, role):
    lead = make_lead(owner=_user("officer", "li"))
    response = client.patch(f"/api/v1/leads/{lead.id}", json={"version": lead.version, "timing": "今年"},
                            headers=token_for(_user(role, "boss")))
    assert response.status_code == 200


def test_permission_is_checked_before_validation_leaks_anything(client, db, token_for):
    li, zhang = _user("officer", "li"), _user("officer", "zhang")
    lead = make_lead(owner=zhang)
    response = client.patch(f"/api/v1/leads/{lead.id}", json={"version": lead.version, "mobile": "bad"},
                            headers=token_for(li))
    assert response.status_code in (403, 422)
    assert response.mimetype == "application/json"
