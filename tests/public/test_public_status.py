"""The investor's private status page and the health check."""

import pytest
from factories import make_lead
from sqlalchemy.exc import OperationalError

from crm.auth import services as accounts
from crm.leads import services

# Investor-facing words per stage (English source text; the page is asked for in English).
PUBLIC_WORDS = {
    "enquiry": "Received",
    "contacted": "In contact",
    "site_visit": "Site visits",
    "negotiation": "In discussion",
    "signed": "Agreement signed",
    "on_hold": "Paused",
    "lost": "Closed",
}
EN = {"Accept-Language": "en"}


@pytest.fixture
def worked_lead(db):
    """An enquiry an officer has worked: owner, notes, next action, leader, reasons: all internal."""
    # No passwords: these users never sign in, and hashing one costs a third of a second.
    manager = accounts.create_user("director@zone.gov.cn", role="manager", name="Director Zhou Secretmanager")
    owner = accounts.create_user("secret.owner@zone.gov.cn", role="officer", name="Officer Secretowner")
    lead = make_lead(source="web_form", mobile="13807312345", email="investor-private@example.cn",
                     company_name="湖南星驰动力科技有限公司")
    services.assign_lead(lead, owner, by=manager)
    services.log_activity(lead, kind="call", outcome="INTERNAL-OUTCOME: investor is price sensitive, offer 10% off",
                          by=owner, next_action="INTERNAL-NEXT: send the rebate memo")
    services.update_lead(lead, {"sponsoring_leader": "Vice-mayor Secretleader", "is_key": True,
                                "next_action": "INTERNAL-NEXT: send the rebate memo"},
                         by=manager, expected_version=lead.version)
    db.session.commit()
    return lead


def test_status_page_shows_reference_and_plain_stage(client, worked_lead):
    response = client.get(f"/enquiry/status/{worked_lead.status_token}", headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert worked_lead.reference in html
    assert PUBLIC_WORDS["enquiry"] in html


def test_status_page_shows_nothing_internal(client, worked_lead):
    html = client.get(f"/enquiry/status/{worked_lead.status_token}", headers=EN).get_data(as_text=True)
    for secret in ("Secretowner", "secret.owner@zone.gov.cn", "Secretmanager", "Secretleader", "INTERNAL-OUTCOME",
                   "INTERNAL-NEXT", "price sensitive", "investor-private@example.cn", "13807312345",
                   "+8613807312345", "1380731", "Key lead"):
        assert secret not in html, secret


@pytest.mark.parametrize("stage", list(PUBLIC_WORDS))
def test_every_stage_has_investor_words(client, db, stage):
    lead = make_lead(stage=stage)
    lead.lost_reason = "INTERNAL-LOST: chose Changsha"
    lead.hold_reason = "INTERNAL-HOLD: waiting for their board"
    db.session.commit()
    html = client.get(f"/enquiry/status/{lead.status_token}", headers=EN).get_data(as_text=True)
    assert PUBLIC_WORDS[stage] in html
    assert "INTERNAL-LOST" not in html and "INTERNAL-HOLD" not in html
    # The pipeline's own vocabulary stays inside the office.
    for internal in ("Negotiation", "Site visit<", "On hold", "Lost<", "probability"):
        assert internal not in html, internal


def test_status_page_is_readable_in_chinese(client, worked_lead):
    response = client.get(f"/enquiry/status/{worked_lead.status_token}", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    assert worked_lead.reference in response.get_data(as_text=True)


def test_status_page_is_kept_private(client, worked_lead):
    response = client.get(f"/enquiry/status/{worked_lead.status_token}")
    assert "no-store" in response.headers.get("Cache-Control", "")
    assert response.headers.get("Referrer-Policy") == "no-referrer"
    assert "noindex" in response.headers.get("X-Robots-Tag", "")


@pytest.mark.parametrize("token", ["nope", "x" * 43, "x" * 500, "%00", "..%2F..%2Fetc%2Fpasswd", "' OR 1=1 --",
                                   "%E4%BD%A0%E5%A5%BD"])
def test_unknown_token_gets_a_404_page(client, db, token):
    lead = make_lead()
    response = client.get(f"/enquiry/status/{token}")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert lead.reference not in response.get_data(as_text=True)


def test_a_token_prefix_is_not_enough(client, worked_lead):
    assert client.get(f"/enquiry/status/{worked_lead.status_token[:-1]}").status_code == 404


def test_status_tokens_are_unguessable(db):
    tokens = {make_lead(commit=False).status_token for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(token) >= 32 for token in tokens)


# --- /healthz --------------------------------------------------------------------------------------------

def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok"}


def test_healthz_needs_no_login_and_no_cookie(app, db):
    response = app.test_client(use_cookies=False).get("/healthz")
    assert response.status_code == 200


def test_healthz_reports_a_dead_database_as_503(client, monkeypatch):
    from crm.extensions import db as _db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(_db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"
