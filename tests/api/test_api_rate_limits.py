"""Per-token rate limits cover the new API endpoints and answer 429 in the API's JSON error shape.

One allowance per token is shared by every API endpoint.
"""

import uuid

import pytest
from factories import make_lead, make_user

from crm.auth import services as accounts
from crm.core.limits import limiter_for
from crm.extensions import db as _db
from tests.security.helpers import build_app


@pytest.fixture(scope="module")
def limited_app(app, database_url):
    return build_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                     RATELIMIT_KEY_PREFIX=f"parkleads-api-{uuid.uuid4().hex[:8]}", RATELIMIT_API="4/minute",
                     RATELIMIT_API_ADDRESS="100/minute")


@pytest.fixture
def limited_client(limited_app, db):
    limiter_for(limited_app).reset()
    yield limited_app.test_client()
    limiter_for(limited_app).reset()


@pytest.mark.parametrize("method", ["get", "post"])
def test_new_endpoints_are_limited_per_token_with_a_json_429(limited_client, method):
    officer = make_user("officer")
    lead = make_lead(owner=officer)
    first, second = accounts.create_token(officer, "a"), accounts.create_token(officer, "b")
    _db.session.commit()
    url = f"/api/v1/leads/{lead.id}/activities"

    def call(token):
        headers = {"Authorization": f"Bearer {token}"}
        if method == "get":
            return limited_client.get(url, headers=headers)
        return limited_client.post(url, headers=headers, json={"kind": "call", "outcome": "又打了一次"})

    assert [call(first).status_code for _ in range(4)] == [200 if method == "get" else 201] * 4
    refused = call(first)
    assert refused.status_code == 429 and refused.mimetype == "application/json"
    body = refused.get_json()
    assert set(body) >= {"error", "fields"} and body["error"]
    assert int(refused.headers["Retry-After"]) > 0
    assert call(second).status_code in (200, 201)  # another token has its own allowance


def test_the_register_is_limited_too(limited_client):
    token = accounts.create_token(make_user("officer"), "a")
    _db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [limited_client.get("/api/v1/projects", headers=headers).status_code for _ in range(5)]
    assert statuses == [200] * 4 + [429]


def test_one_allowance_per_token_across_endpoints(limited_client):
    token = accounts.create_token(make_user("officer"), "a")
    _db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [limited_client.get(url, headers=headers).status_code
                for url in ("/api/v1/projects", "/api/v1/leads", "/api/v1/sites", "/api/v1/leads", "/api/v1/projects")]
    assert statuses == [200] * 4 + [429]
