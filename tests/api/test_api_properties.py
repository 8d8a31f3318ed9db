"""Property-based (issue 7): the JSON API fed arbitrary text and numbers answers JSON, never a 5xx.

POST /enquiries is fuzzed in test_api_enquiries.py; here the other writes and the list's query string:
PATCH a lead, log an activity, change a stage, and search/filter/page the list. A refused change changes
nothing; an accepted one comes back with the next version.
"""

import pytest
from factories import make_lead
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.leads.services import EDITABLE_FIELDS

_text = st.text(max_size=300)  # lone surrogates included: JSON can carry them, the API must refuse them
_scalar = st.one_of(
    st.none(), st.booleans(), _text,
    st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["1e400", "-0", "１２", "12,000", "2026-02-30", "9999-12-31", "0000-00-00", "NaN"]),
)
_value = st.one_of(_scalar, st.lists(_scalar, max_size=2), st.dictionaries(st.text(max_size=5), _scalar,
                                                                           max_size=2))
_hypothesis = settings(max_examples=40, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def lead(db, api_user):
    """One lead the (manager) token may change; each example reads its current version."""
    return make_lead(by=None, company_name="株洲属性测试科技有限公司", mobile="+8613900000001")


def _json(response) -> dict:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json", response.mimetype
    return response.get_json()


def _version(client, auth, lead_id) -> int:
    return _json(client.get(f"/api/v1/leads/{lead_id}", headers=auth))["version"]


@_hypothesis
@given(changes=st.dictionaries(st.sampled_from(EDITABLE_FIELDS), _value, min_size=1, max_size=5))
def test_any_patch_is_applied_or_refused_as_json(client, auth, lead, changes):
    before = _version(client, auth, lead.id)
    response = client.patch(f"/api/v1/leads/{lead.id}", json={"version": before, **changes}, headers=auth)
    body = _json(response)
    assert response.status_code in (200, 422), (response.status_code, body)
    after = _version(client, auth, lead.id)
    if response.status_code == 422:
        assert body["error"] and body["fields"] and after == before
    else:
        assert body["version"] == after >= before


@_hypothesis
@given(version=_value, extra=st.dictionaries(st.text(max_size=12), _value, max_size=3))
def test_odd_versions_and_unknown_fields_never_break_a_patch(client, auth, lead, version, extra):
    before = _version(client, auth, lead.id)
    response = client.patch(f"/api/v1/leads/{lead.id}", json={"version": version, **extra}, headers=auth)
    _json(response)
    assert response.status_code in (200, 409, 422)
    if response.status_code != 200:
        assert _version(client, auth, lead.id) == before


@_hypothesis
@given(body=st.dictionaries(st.sampled_from(["kind", "outcome", "occurred_on", "next_action", "next_action_due"])
                            | st.text(max_size=8), _value, max_size=5))
def test_any_activity_is_logged_or_refused_as_json(client, auth, lead, body):
    response = client.post(f"/api/v1/leads/{lead.id}/activities", json=body, headers=auth)
    _json(response)
    assert response.status_code in (201, 422)


@_hypothesis
@given(stage=_value, reason=_value, use_current=st.booleans(), version=_value)
def test_any_stage_change_is_made_or_refused_as_json(client, auth, lead, stage, reason, use_current, version):
    body = {"stage": stage, "reason": reason, "version": _version(client, auth, lead.id) if use_current else version}
    response = client.post(f"/api/v1/leads/{lead.id}/stage", json=body, headers=auth)
    _json(response)
    assert response.status_code in (200, 409, 422)


_query_value = st.one_of(_text.filter(lambda t: "\x00" not in t and not any(0xD800 <= ord(c) <= 0xDFFF for c in t)),
                         st.integers(min_value=-10**20, max_value=10**20).map(str))


@_hypothesis
@given(params=st.dictionaries(st.sampled_from(["q", "stage", "owner", "page", "per_page"]) | st.text(max_size=6),
                              _query_value, max_size=5))
def test_any_query_string_lists_or_is_refused_as_json(client, auth, lead, params):
    response = client.get("/api/v1/leads", query_string=params, headers=auth)
    body = _json(response)
    assert response.status_code in (200, 400, 422)
    if response.status_code == 200:
        assert 1 <= body["per_page"] <= 100 and body["page"] >= 1 and len(body["items"]) <= body["per_page"]


@_hypothesis
@given(lead_id=st.integers(min_value=1, max_value=2**63))
def test_any_lead_id_is_found_or_404_json(client, auth, lead, lead_id):
    response = client.get(f"/api/v1/leads/{lead_id}", headers=auth)
    _json(response)
    assert response.status_code in (200, 404)
