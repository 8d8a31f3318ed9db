"""Activities and stage changes through the API: the same services, gates, permissions and audit as the pages."""

from datetime import date, datetime, timedelta

import pytest
from factories import make_lead, make_user, signable_figures
from sqlalchemy import func, select

from crm.auth import services as accounts
from crm.extensions import db as _db
from crm.leads import services
from crm.leads.models import Activity, Lead, LeadEvent


def _assert_json_error(response, status, *fields):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] and isinstance(body["fields"], dict)
    for field in fields:
        assert field in body["fields"] and all(body["fields"][field]), body["fields"]
    return body


def _reload(lead_id) -> Lead:
    _db.session.rollback()
    return _db.session.get(Lead, lead_id)


def _activities(lead_id) -> int:
    _db.session.rollback()
    return _db.session.scalar(select(func.count()).select_from(Activity).where(Activity.lead_id == lead_id))


@pytest.fixture
def officer(db):
    return accounts.create_user("li@zone.gov.cn", role="officer", name="李专员")


@pytest.fixture
def officer_auth(officer, token_for):
    return token_for(officer)


# --- activities --------------------------------------------------------------------------------------------

def test_log_an_activity_and_list_it(client, db, officer, officer_auth):
    lead = make_lead(owner=officer)
    due = (date.today() + timedelta(days=3)).isoformat()
    response = client.post(f"/api/v1/leads/{lead.id}/activities", headers=officer_auth, json={
        "kind": "call", "outcome": "约好下周看厂房", "next_action": "带客户看厂房", "next_action_due": due})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created["kind"], created["outcome"], created["user"], created["lead_id"]) == (
        "call", "约好下周看厂房", "李专员", lead.id)
    lead = _reload(lead.id)
    assert (lead.next_action, lead.next_action_due.isoformat()) == ("带客户看厂房", due)
    listed = client.get(f"/api/v1/leads/{lead.id}/activities", headers=officer_auth).get_json()
    assert listed["total"] == 1 and listed["items"] == [created]


def test_activities_are_newest_first_and_paginated(client, db, officer, officer_auth):
    lead = make_lead(owner=officer)
    for day in (3, 1, 2):
        services.log_activity(lead, kind="note", outcome=f"day {day}", by=officer,
                              occurred_at=datetime(2026, 5, day, 9))
    _db.session.commit()
    first = client.get(f"/api/v1/leads/{lead.id}/activities?per_page=2", headers=officer_auth).get_json()
    assert [item["outcome"] for item in first["items"]] == ["day 3", "day 2"] and first["total"] == 3
    second = client.get(f"/api/v1/leads/{lead.id}/activities?per_page=2&page=2", headers=officer_auth).get_json()
    assert [item["outcome"] for item in second["items"]] == ["day 1"]


def test_an_officers_first_activity_claims_an_unassigned_lead(client, db, officer, officer_auth):
    lead = make_lead()
    assert client.post(f"/api/v1/leads/{lead.id}/activities", headers=officer_auth,
                       json={"kind": "call", "outcome": "接通"}).status_code == 201
    assert _reload(lead.id).owner_id == officer.id


def test_an_officer_cannot_log_on_a_colleagues_lead(client, db, officer_auth, unchanged):
    lead = make_lead(owner=make_user("officer"))
    with unchanged():
        response = client.post(f"/api/v1/leads/{lead.id}/activities", headers=officer_auth,
                               json={"kind": "call", "outcome": "x"})
    _assert_json_error(response, 403)


@pytest.mark.parametrize(("body", "fields"), [
    ({"outcome": "x"}, ["kind"]),
    ({"kind": "telepathy", "outcome": "x"}, ["kind"]),
    ({"kind": "call"}, ["outcome"]),
    ({"kind": "call", "outcome": "  "}, ["outcome"]),
    ({"kind": "call", "outcome": "x", "next_action_due": "2026-02-30"}, ["next_action_due"]),
    ({"kind": "call", "outcome": "x", "occurred_on": "yesterday"}, ["occurred_on"]),
    ({"kind": "call", "outcome": "x" * 6000}, ["outcome"]),
    ({"kind": "call", "outcome": {"a": 1}}, ["outcome"]),
    ({"kind": "call", "outcome": "x", "user_id": 1}, ["user_id"]),
])
def test_invalid_activities_get_422(client, db, officer, officer_auth, unchanged, body, fields):
    lead = make_lead(owner=officer)
    with unchanged():
        response = client.post(f"/api/v1/leads/{lead.id}/activities", headers=officer_auth, json=body)
    _assert_json_error(response, 422, *fields)


@pytest.mark.parametrize("body", ["[]", "{", "null", '"x"'])
def test_an_activity_body_that_is_not_an_object_gets_422(client, db, officer, officer_auth, body):
    lead = make_lead(owner=officer)
    response = client.post(f"/api/v1/leads/{lead.id}/activities", data=body,
                           headers={**officer_auth, "Content-Type": "application/json"})
    _assert_json_error(response, 422)


@pytest.mark.parametrize("method", ["get", "post"])
def test_activities_of_an_unknown_lead_are_404(client, db, officer_auth, method):
    response = getattr(client, method)("/api/v1/leads/424242/activities", headers=officer_auth,
                                       **({"json": {"kind": "call", "outcome": "x"}} if method == "post" else {}))
    _assert_json_error(response, 404)


# --- stage changes ----------------------------------------------------------------------------------------

def _move(client, lead, headers, **body):
    return client.post(f"/api/v1/leads/{lead.id}/stage", headers=headers,
                       json={"version": lead.version, **body})


def test_a_stage_change_passes_its_gate_and_is_audited(client, db, officer, officer_auth):
    lead = make_lead(owner=officer)
    response = _move(client, lead, officer_auth, stage="contacted")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["stage"] == "contacted" and body["version"] > lead.version
    _db.session.rollback()
    event = _db.session.scalar(select(LeadEvent).where(LeadEvent.lead_id == lead.id, LeadEvent.kind == "stage"))
    assert (event.old_value, event.new_value, event.user_id) == ("enquiry", "contacted", officer.id)


def test_a_gate_refusal_names_the_missing_fields(client, db, officer, officer_auth, unchanged):
    lead = make_lead(owner=officer, stage="contacted")
    with unchanged():
        response = _move(client, lead, officer_auth, stage="signed")
    body = _assert_json_error(response, 422, "visit", "planned_investment_wan", "area", "expected_tax_wan")
    assert "owner_id" not in body["fields"]
    assert _reload(lead.id).stage == "contacted"


def test_leaving_enquiry_needs_an_owner(client, db, auth):
    lead = make_lead()
    _assert_json_error(_move(client, lead, auth, stage="contacted"), 422, "owner_id")


def test_losing_a_lead_needs_a_reason(client, db, officer, officer_auth):
    lead = make_lead(owner=officer)
    _assert_json_error(_move(client, lead, officer_auth, stage="lost"), 422, "lost_reason")
    lead = _reload(lead.id)
    response = _move(client, lead, officer_auth, stage="lost", reason="选择了其他园区")
    assert response.status_code == 200 and response.get_json()["lost_reason"] == "选择了其他园区"


def test_signing_through_the_api_creates_the_project(client, db, officer, officer_auth):
    lead = make_lead(owner=officer, stage="negotiation", **signable_figures())
    services.log_activity(lead, kind="visit", outcome="看了地块", by=officer)
    _db.session.commit()
    response = _move(client, _reload(lead.id), officer_auth, stage="signed")
    assert response.status_code == 200, response.get_json()
    from crm.projects.models import Project

    assert _db.session.scalar(select(Project.lead_id)) == lead.id


def test_a_stale_version_gets_409_and_changes_nothing(client, db, officer, officer_auth):
    lead = make_lead(owner=officer)
    opened = lead.version
    services.update_lead(lead, {"timing": "今年"}, by=officer, expected_version=opened)
    _db.session.commit()
    response = client.post(f"/api/v1/leads/{lead.id}/stage", headers=officer_auth,
                           json={"stage": "contacted", "version": opened})
    body = _assert_json_error(response, 409, "version")
    assert body["version"] == _reload(lead.id).version != opened
    assert _reload(lead.id).stage == "enquiry"


def test_an_officer_cannot_move_a_colleagues_lead(client, db, officer_auth, unchanged):
    lead = make_lead(owner=make_user("officer"))
    with unchanged():
        _assert_json_error(_move(client, lead, officer_auth, stage="contacted"), 403)


V = object()  # stands for the lead's current version


@pytest.mark.parametrize(("body", "fields"), [
    ({"stage": "contacted"}, ["version"]),
    ({"stage": "contacted", "version": "1"}, ["version"]),
    ({"stage": "contacted", "version": True}, ["version"]),
    ({"version": V}, ["stage"]),
    ({"stage": "won", "version": V}, ["stage"]),
    ({"stage": 3, "version": V}, ["stage"]),
    ({"stage": "lost", "reason": "x" * 501, "version": V}, ["reason"]),
    ({"stage": "contacted", "version": V, "owner_id": 1}, ["owner_id"]),
    ({"stage": ["contacted"], "version": V}, ["stage"]),
    ({"stage": "enquiry", "version": V}, ["stage"]),  # already there
])
def test_invalid_stage_changes_get_422(client, db, officer, officer_auth, unchanged, body, fields):
    lead = make_lead(owner=officer)
    version = lead.version
    body = {key: version if value is V else value for key, value in body.items()}
    with unchanged():
        response = client.post(f"/api/v1/leads/{lead.id}/stage", headers=officer_auth, json=body)
    _assert_json_error(response, 422, *fields)
    assert _reload(lead.id).version == version


def test_a_stage_change_on_an_unknown_lead_is_404(client, db, auth):
    _assert_json_error(client.post("/api/v1/leads/99999/stage", headers=auth,
                                   json={"stage": "contacted", "version": 1}), 404)
