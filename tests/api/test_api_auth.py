"""Bearer tokens: who gets in, who gets a 401 JSON, and how tokens are kept."""

import pytest
from api_helpers import enquiry_payload
from sqlalchemy import select

from crm.auth import services as accounts
from crm.auth.models import ApiToken
from crm.core.database import utcnow

ENDPOINTS = [("get", "/api/v1/leads"), ("get", "/api/v1/leads/1"), ("patch", "/api/v1/leads/1"),
             ("post", "/api/v1/enquiries")]


def _call(client, method, url, headers=None):
    body = {"version": 1} if method == "patch" else enquiry_payload()
    if method == "get":
        return client.get(url, headers=headers or {})
    return getattr(client, method)(url, json=body, headers=headers or {})


def _assert_401(response):
    assert response.status_code == 401
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) >= {"error", "fields"} and body["error"]
    assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
@pytest.mark.parametrize("header", [
    None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token pl_abc", "Bearer pl_not-a-real-token",
    "Bearer " + "x" * 5000, "Bearer pl_\u00e9\u00e9", "bearer",
])
def test_requests_without_a_valid_token_get_401_json(client, unchanged, method, url, header):
    headers = {} if header is None else {"Authorization": header}
    with unchanged():
        _assert_401(_call(client, method, url, headers))


def test_a_valid_token_gets_in(client, auth):
    assert client.get("/api/v1/leads", headers=auth).status_code == 200


def test_the_scheme_is_case_insensitive(client, auth):
    token = auth["Authorization"].split(" ", 1)[1]
    assert client.get("/api/v1/leads", headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_a_revoked_token_is_refused(client, db, api_user, auth):
    db.session.execute(ApiToken.__table__.update().values(revoked_at=utcnow()))
    db.session.commit()
    _assert_401(client.get("/api/v1/leads", headers=auth))


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_a_deactivated_users_token_is_refused(client, db, api_user, auth, method, url):
    api_user.active = False
    db.session.commit()
    _assert_401(_call(client, method, url, auth))


def test_a_session_cookie_is_not_a_token(client, db, login):
    from factories import make_user

    login(make_user("manager"))
    _assert_401(client.get("/api/v1/leads"))


def test_tokens_are_stored_only_as_hashes(db, api_user):
    token = accounts.create_token(api_user, "partner")
    db.session.commit()
    record = db.session.scalar(select(ApiToken))
    assert token not in (record.token_hash, record.name, record.prefix)
    assert record.token_hash == ApiToken.hash(token) and len(record.token_hash) == 64
    assert not record.prefix or token.startswith(record.prefix) and len(record.prefix) < len(token) / 2


def test_each_token_is_new(db, api_user):
    tokens = {accounts.create_token(api_user) for _ in range(5)}
    assert len(tokens) == 5 and all(len(token) >= 32 for token in tokens)


def test_token_use_is_recorded_even_on_reads(client, db, auth):
    client.get("/api/v1/leads", headers=auth)
    db.session.rollback()
    assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_reads_do_not_write_on_every_request(client, db, auth):
    """One write a minute at most: a busy partner must not turn every read into a write."""
    from sqlalchemy import event

    client.get("/api/v1/leads", headers=auth)
    writes = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            assert client.get("/api/v1/leads", headers=auth).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert writes == []
