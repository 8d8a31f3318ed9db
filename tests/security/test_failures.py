"""A database error mid-request: rolled back, a friendly page with a request id, the traceback in the log."""

import json
import logging

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from crm.extensions import db
from crm.leads.models import Industry
from tests.security.helpers import build_app


@pytest.fixture(scope="module")
def fragile_app(app, database_url):
    """An app with throwaway routes that fail after writing; the shared app stays untouched."""
    application = build_app(database_url)

    def fail_after_write():
        db.session.add(Industry(code="boom", name_zh="爆炸", name_en="Boom"))
        db.session.flush()  # the row is in the transaction when the database gives up
        raise OperationalError("UPDATE lead SET stage=?", {}, Exception("database is locked"))

    application.add_url_rule("/__test__/fail-after-write", "fail_after_write", fail_after_write,
                             methods=["GET", "POST"])
    application.add_url_rule("/api/v1/__test__/fail", "api_fail", fail_after_write)
    return application


def _industries(code="boom") -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Industry).where(Industry.code == code))


def test_a_database_error_rolls_back_and_shows_the_request_id(fragile_app, db, caplog):
    caplog.set_level(logging.INFO)
    response = fragile_app.test_client().get("/__test__/fail-after-write")

    assert response.status_code == 500
    body = response.get_data(as_text=True)
    request_id = response.headers["X-Request-Id"]
    assert request_id and request_id in body
    assert "Traceback" not in body and "OperationalError" not in body and "database is locked" not in body
    assert "UPDATE lead" not in body
    assert _industries() == 0, "the write before the error must be rolled back"

    errors = [r for r in caplog.records if r.name == "crm.errors" and request_id in r.getMessage()]
    assert errors and errors[0].exc_info, "the traceback goes to the log, tagged with the same request id"
    assert "database is locked" in caplog.text
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "crm.requests"]
    assert {"request_id": request_id, "status": 500, "path": "/__test__/fail-after-write"}.items() <= lines[-1].items()


def test_the_api_gets_json_with_no_trace(fragile_app, db):
    response = fragile_app.test_client().get("/api/v1/__test__/fail")
    assert response.status_code == 500
    body = response.get_json()
    assert set(body) == {"error", "fields"}
    assert "locked" not in body["error"] and "Traceback" not in response.get_data(as_text=True)


def test_the_next_request_works_after_a_failure(fragile_app, db):
    client = fragile_app.test_client()
    client.get("/__test__/fail-after-write")
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200


def test_a_proxy_request_id_is_kept_when_it_is_a_plain_token(fragile_app, db, caplog):
    caplog.set_level(logging.INFO)
    client = fragile_app.test_client()
    response = client.get("/__test__/fail-after-write", headers={"X-Request-Id": "edge-42.a_b"})
    assert response.headers["X-Request-Id"] == "edge-42.a_b"
    assert "edge-42.a_b" in response.get_data(as_text=True)
    for forged in ("x FAKE LOG LINE <script>", "a" * 65, '"}{"status": 200'):
        response = client.get("/login", headers={"X-Request-Id": forged})
        assert response.headers["X-Request-Id"] != forged
        assert forged not in caplog.text


def test_when_even_the_error_page_fails_a_bare_page_still_shows_the_id(fragile_app, db, monkeypatch):
    import crm.core.errors as errors

    def broken(*args, **kwargs):
        raise OperationalError("SELECT user", {}, Exception("server closed the connection"))

    monkeypatch.setattr(errors, "render_template", broken)
    response = fragile_app.test_client().get("/__test__/fail-after-write")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert response.headers["X-Request-Id"] in body
    assert "server closed" not in body and "Traceback" not in body


def test_every_request_writes_one_json_log_line(app, db, caplog):
    from tests.factories import make_user
    from tests.security.helpers import device, sign_in

    caplog.set_level(logging.INFO, logger="crm.requests")
    user = make_user("officer")
    browser = device(app)
    sign_in(browser, user)
    caplog.clear()
    browser.get("/leads?q=湖南星驰")
    browser.get("/enquiry/status/secret-status-token-123")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "crm.requests"]
    assert len(lines) == 2
    first, second = lines
    assert set(first) == {"request_id", "method", "path", "status", "duration_ms", "user_id"}
    assert first["method"] == "GET" and first["path"] == "/leads" and first["status"] == 200
    assert first["user_id"] == user.id and first["duration_ms"] >= 0
    assert "湖南星驰" not in caplog.text, "search terms name companies and people: keep them out of logs"
    assert "secret-status-token-123" not in caplog.text, "the private status link must not reach the logs"
