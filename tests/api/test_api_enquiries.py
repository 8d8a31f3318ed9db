"""POST /api/v1/enquiries: a partner portal forwards an enquiry; same validation as the public form."""

import json
import re
from decimal import Decimal

import pytest
from api_helpers import enquiry_payload
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crm.leads.models import Lead

URL = "/api/v1/enquiries"


def _assert_json_error(response, status=422, field=None):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body, dict) and body["error"] and isinstance(body["fields"], dict)
    if field is not None:
        assert field in body["fields"], body["fields"]
        assert all(isinstance(message, str) and message for message in body["fields"][field])
    return body


def test_a_valid_enquiry_is_created(client, db, auth):
    response = client.post(URL, json=enquiry_payload(), headers=auth)
    assert response.status_code == 201
    body = response.get_json()
    lead = db.session.get(Lead, body["id"])
    assert body["reference"] == lead.reference and re.fullmatch(r"ZS-\d{4}-\d{6}", body["reference"])
    assert (lead.stage, lead.source, lead.kind) == ("enquiry", "web_form", "factory_rental")
    assert lead.company_name == "深圳市锐能电池科技有限公司"
    assert lead.mobile == "+8613923456789"
    assert lead.floor_area_m2 == Decimal("12000") and lead.land_mu is None
    assert lead.planned_investment_wan == Decimal("30000.50")
    assert lead.expected_tax_wan == Decimal("800")
    assert lead.consent and lead.consent_at is not None
    assert lead.owner_id is None and lead.created_by_id is None
    status = client.get(f"/enquiry/status/{body['status_token']}")
    assert status.status_code == 200 and lead.reference in status.get_data(as_text=True)


def test_numbers_may_come_as_strings(client, db, auth):
    response = client.post(URL, json=enquiry_payload(expected_tax="800", area="35.5", need="land"), headers=auth)
    assert response.status_code == 201
    lead = db.session.get(Lead, response.get_json()["id"])
    assert lead.land_mu == Decimal("35.5")


def test_a_known_source_is_kept(client, db, auth):
    response = client.post(URL, json=enquiry_payload(source="expo"), headers=auth)
    assert db.session.get(Lead, response.get_json()["id"]).source == "expo"


@pytest.mark.parametrize("source", ["nope", "", "WEB_FORM"])
def test_an_unknown_source_falls_back_to_web_form(client, db, auth, source):
    response = client.post(URL, json=enquiry_payload(source=source), headers=auth)
    assert db.session.get(Lead, response.get_json()["id"]).source == "web_form"


def test_fields_the_api_does_not_take_are_ignored(client, db, auth):
    response = client.post(URL, json=enquiry_payload(stage="signed", owner_id=1, id=999, version=7), headers=auth)
    assert response.status_code == 201
    lead = db.session.get(Lead, response.get_json()["id"])
    assert (lead.stage, lead.owner_id, lead.version) == ("enquiry", None, 1)


def test_international_mobile(client, db, auth):
    response = client.post(URL, json=enquiry_payload(mobile="+49 151 23456789"), headers=auth)
    assert db.session.get(Lead, response.get_json()["id"]).mobile == "+4915123456789"


def test_control_characters_are_stripped(client, db, auth):
    response = client.post(URL, json=enquiry_payload(company="锐能\x00电池\x1b有限公司", message="a\x00b"),
                           headers=auth)
    assert response.status_code == 201
    lead = db.session.get(Lead, response.get_json()["id"])
    assert (lead.company_name, lead.message) == ("锐能电池有限公司", "ab")


INVALID = [
    *[pytest.param({name: None}, name, id=f"missing-{name}") for name in
      ("need", "use", "expected_tax", "company", "contact_name", "mobile", "consent")],
    pytest.param({"need": "boat"}, "need", id="need-unknown"),
    pytest.param({"need": 1}, "need", id="need-number"),
    pytest.param({"expected_tax": -1}, "expected_tax", id="tax-negative"),
    pytest.param({"expected_tax": 1e300}, "expected_tax", id="tax-huge-float"),
    pytest.param({"expected_tax": 10**40}, "expected_tax", id="tax-huge-int"),
    pytest.param({"expected_tax": "NaN"}, "expected_tax", id="tax-nan-string"),
    pytest.param({"expected_tax": "abc"}, "expected_tax", id="tax-text"),
    pytest.param({"expected_tax": True}, "expected_tax", id="tax-bool"),
    pytest.param({"area": -5}, "area", id="area-negative"),
    pytest.param({"need": "land", "area": 500000}, "area", id="area-land-too-large"),
    pytest.param({"investment": "Infinity"}, "investment", id="investment-infinity"),
    pytest.param({"mobile": "0731-12345678"}, "mobile", id="mobile-landline"),
    pytest.param({"mobile": "123"}, "mobile", id="mobile-short"),
    pytest.param({"mobile": 13807312345}, None, id="mobile-as-number-is-fine"),
    pytest.param({"email": "nope"}, "email", id="email"),
    pytest.param({"consent": False}, "consent", id="consent-false"),
    pytest.param({"consent": "false"}, "consent", id="consent-false-string"),
    pytest.param({"company": "x" * 100_000}, "company", id="company-huge"),
    pytest.param({"message": "留" * 100_000}, "message", id="message-huge"),
    pytest.param({"company": {"name": "x"}}, "company", id="company-object"),
    pytest.param({"company": ["a", "b"]}, "company", id="company-list"),
    pytest.param({"expected_tax": [1]}, "expected_tax", id="tax-list"),
    pytest.param({"company": "\ud800锐能"}, "company", id="company-lone-surrogate"),
]


@pytest.mark.parametrize(("overrides", "field"), INVALID)
def test_invalid_enquiries_get_422_with_field_messages(client, auth, unchanged, overrides, field):
    if field is None:  # the control case in the table: a valid variant
        assert client.post(URL, json=enquiry_payload(**overrides), headers=auth).status_code == 201
        return
    with unchanged():
        response = client.post(URL, json=enquiry_payload(**overrides), headers=auth)
    _assert_json_error(response, 422, field)


@pytest.mark.parametrize("body", [
    "[]", '"text"', "42", "null", "true", '[{"need": "land"}]', "{", "{'need': 'land'}", "", "\x00",
    "[" * 100_000, '{"a":' * 50_000, "1" * 10_000, '{"need": NaN}',
])
def test_bodies_that_are_not_a_json_object_get_422(client, auth, unchanged, body):
    with unchanged():
        response = client.post(URL, data=body, headers={**auth, "Content-Type": "application/json"})
    _assert_json_error(response, 422)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_non_json_content_type_gets_422(client, auth, unchanged, content_type):
    with unchanged():
        response = client.post(URL, data=json.dumps(enquiry_payload()), headers={**auth, "Content-Type": content_type})
    _assert_json_error(response, 422)


def test_form_encoded_enquiry_gets_422_not_a_csrf_page(client, auth, unchanged):
    with unchanged():
        response = client.post(URL, data={"need": "land"}, headers=auth, csrf=False)
    _assert_json_error(response, 422)


def test_wrong_method_is_json(client, auth):
    response = client.get(URL, headers=auth)
    _assert_json_error(response, 405)


_json_value = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**20, max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=200),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(overrides=st.dictionaries(
    st.sampled_from(["need", "use", "expected_tax", "company", "contact_name", "mobile", "email", "industry",
                     "area", "investment", "message", "consent", "source", "website"]),
    _json_value, max_size=6))
def test_arbitrary_json_never_causes_a_server_error(client, auth, overrides):
    response = client.post(URL, json=enquiry_payload(**{k: v for k, v in overrides.items()}), headers=auth)
    assert response.status_code in (201, 422), response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"


def test_two_identical_enquiries_are_two_leads(client, db, auth):
    ids = [client.post(URL, json=enquiry_payload(), headers=auth).get_json()["id"] for _ in range(2)]
    assert len(set(ids)) == 2
    second = db.session.get(Lead, ids[1])
    assert second.collides_with_id == ids[0]
    assert db.session.scalar(select(Lead.id).where(Lead.id == ids[0]))
