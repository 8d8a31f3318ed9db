"""API v1 and merged leads: every /leads/<old id> operation answers 308 to the lead that absorbed it."""

import pytest
import schemathesis
from factories import make_lead, make_user
from sqlalchemy import func, select

from crm.api.openapi import document
from crm.leads import merge
from crm.leads.models import Activity, Lead

PER_LEAD_OPERATIONS = [("get", "/leads/{lead_id}"), ("patch", "/leads/{lead_id}"),
                       ("get", "/leads/{lead_id}/activities"), ("post", "/leads/{lead_id}/activities"),
                       ("post", "/leads/{lead_id}/stage")]


@pytest.fixture
def merged(db, api_user):
    """(kept lead id, old lead id): the second lead was merged into the first by the API user (a manager)."""
    kept = make_lead(by=api_user, company_name="湖南星驰动力科技有限公司", mobile="13807312345")
    old = make_lead(by=api_user, company_name="星驰动力科技有限公司", mobile="13807312346")
    ids = kept.id, old.id
    merge.merge_leads(kept, old, by=api_user)
    db.session.commit()
    return ids


def _assert_follows(response, path: str, kept_id: int):
    assert response.status_code == 308, response.get_data(as_text=True)[:300]
    assert response.headers["Location"] == path
    body = response.get_json()
    assert (body["merged_into"], body["location"]) == (kept_id, path)
    return body


def test_get_of_an_old_id_redirects_to_the_surviving_lead(client, merged, auth):
    kept_id, old_id = merged
    response = client.get(f"/api/v1/leads/{old_id}?lang=en", headers=auth)
    body = _assert_follows(response, f"/api/v1/leads/{kept_id}?lang=en", kept_id)
    assert body["message"] == f"Lead {old_id} was merged into lead {kept_id}."
    followed = client.get(f"/api/v1/leads/{old_id}", headers=auth, follow_redirects=True)
    assert followed.status_code == 200 and followed.get_json()["id"] == kept_id


def test_the_message_is_translated(client, merged, auth):
    kept_id, old_id = merged
    body = client.get(f"/api/v1/leads/{old_id}?lang=zh_CN", headers=auth).get_json()
    assert body["message"] == f"线索 {old_id} 已合并到线索 {kept_id}。"


def test_a_patch_is_repeated_on_the_surviving_lead(client, db, merged, auth, unchanged):
    kept_id, old_id = merged
    version = db.session.get(Lead, kept_id).version
    change = {"version": version, "next_action": "约谈合并后的客户"}
    with unchanged():
        _assert_follows(client.patch(f"/api/v1/leads/{old_id}", json=change, headers=auth),
                        f"/api/v1/leads/{kept_id}", kept_id)
    followed = client.patch(f"/api/v1/leads/{old_id}", json=change, headers=auth, follow_redirects=True)
    assert followed.status_code == 200, followed.get_data(as_text=True)[:300]
    assert followed.get_json()["id"] == kept_id
    db.session.rollback()
    assert db.session.get(Lead, kept_id).next_action == "约谈合并后的客户"


def test_a_patch_based_on_the_old_lead_version_is_a_conflict(client, db, merged, auth, unchanged):
    """The merge changed the surviving lead, so a change computed from what the client saw is not applied."""
    kept_id, old_id = merged
    stale = db.session.get(Lead, kept_id).version - 1
    with unchanged():
        response = client.patch(f"/api/v1/leads/{old_id}", json={"version": stale, "next_action": "x"},
                                headers=auth, follow_redirects=True)
    assert response.status_code == 409


def test_activities_and_stage_changes_follow_too(client, db, merged, auth):
    kept_id, old_id = merged
    _assert_follows(client.get(f"/api/v1/leads/{old_id}/activities?page=2&per_page=5", headers=auth),
                    f"/api/v1/leads/{kept_id}/activities?page=2&per_page=5", kept_id)
    _assert_follows(client.post(f"/api/v1/leads/{old_id}/stage", json={"stage": "contacted", "version": 1},
                                headers=auth), f"/api/v1/leads/{kept_id}/stage", kept_id)
    logged = client.post(f"/api/v1/leads/{old_id}/activities", json={"kind": "call", "outcome": "合并后回访"},
                         headers=auth, follow_redirects=True)
    assert logged.status_code == 201 and logged.get_json()["lead_id"] == kept_id
    db.session.rollback()
    assert db.session.scalar(select(func.count(Activity.id)).where(
        Activity.lead_id == kept_id, Activity.outcome == "合并后回访")) == 1


def test_an_unknown_id_is_still_404_and_a_missing_token_401(client, merged, auth):
    kept_id, old_id = merged
    assert client.get(f"/api/v1/leads/{old_id + 1000}", headers=auth).status_code == 404
    response = client.get(f"/api/v1/leads/{old_id}")
    assert response.status_code == 401 and "Location" not in response.headers  # no hint without a token


def test_an_officer_is_redirected_like_anyone_who_may_read_leads(client, merged, token_for):
    kept_id, old_id = merged
    response = client.get(f"/api/v1/leads/{old_id}", headers=token_for(make_user("officer")))
    _assert_follows(response, f"/api/v1/leads/{kept_id}", kept_id)


@pytest.mark.parametrize(("method", "path"), PER_LEAD_OPERATIONS)
def test_the_redirect_is_documented(app, client, merged, auth, method, path):
    """Each per-lead operation lists the 308, and the answer matches what the document says."""
    kept_id, old_id = merged
    answer = document("http://localhost/api/v1")["paths"][path][method]["responses"]["308"]
    assert answer["headers"]["Location"]["required"] is True
    response = client.open(f"/api/v1{path.format(lead_id=old_id)}", method=method.upper(), json={}, headers=auth)
    assert response.status_code == 308 and response.headers["Location"]
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method.upper()]
    operation.validate_response(response)  # raises when the body does not match the documented schema
