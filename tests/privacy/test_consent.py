"""Consent is stored with its time and the version of the text the form showed."""

import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from config import TestingConfig
from crm import create_app
from crm.extensions import db
from crm.leads.enquiry import EnquiryForm
from crm.leads.models import Lead
from crm.privacy import consent
from tests.factories import make_lead

FORM = {"need": "land", "use": "新能源汽车电机控制器生产基地", "expected_tax": "1200", "company": "湖南星驰动力科技有限公司",
        "contact_name": "王建国", "mobile": "13807312345", "consent": "y"}


def _shown_version(html: str) -> str:
    match = re.search(r'name="consent_version"[^>]*value="([^"]*)"', html) or \
        re.search(r'value="([^"]*)"[^>]*name="consent_version"', html)
    assert match, "the form carries no consent_version"
    return match.group(1)


def _only_lead() -> Lead:
    db.session.rollback()
    return db.session.scalars(select(Lead)).one()


def test_every_published_version_has_its_words_in_both_languages():
    assert consent.CURRENT in consent.TEXTS
    for version, text in consent.TEXTS.items():
        assert text.version == version
        assert text.label_zh and text.label_en
        assert bool(text.notice_zh) == bool(text.notice_en)


def test_the_form_shows_the_current_notice_and_carries_its_version(client):
    html = client.get("/enquiry").get_data(as_text=True)
    text = consent.TEXTS[consent.CURRENT]
    assert _shown_version(html) == consent.CURRENT
    assert str(escape(text.notice_zh)) in html and str(escape(text.notice_en)) in html
    assert str(escape(text.label_zh)) in html
    assert f'data-version="{consent.CURRENT}"' in html


def test_an_enquiry_stores_the_consent_time_and_the_version_shown(client, db):
    html = client.get("/enquiry").get_data(as_text=True)
    response = client.post("/enquiry", data={**FORM, "consent_version": _shown_version(html)})
    assert response.status_code == 303
    lead = _only_lead()
    assert lead.consent is True and lead.consent_at is not None
    assert lead.consent_version == consent.CURRENT


def test_a_form_opened_before_a_new_version_stores_the_version_it_showed(client, db):
    """The page showed version 1; the investor agreed to version 1's words, so version 1 is stored."""
    response = client.post("/enquiry", data={**FORM, "consent_version": "1"})
    assert response.status_code == 303
    assert _only_lead().consent_version == "1"


def test_a_version_never_published_is_refused_next_to_the_consent_box(client, db):
    response = client.post("/enquiry", data={**FORM, "consent_version": "1999-01"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "同意书内容已更新" in html
    assert _shown_version(html) == consent.CURRENT  # the page shows the current text again
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_without_a_version_the_current_one_is_stored(client, db):
    """Old pages and scripts that do not send it agree to what the form shows now."""
    assert client.post("/enquiry", data=FORM).status_code == 303
    assert _only_lead().consent_version == consent.CURRENT


def test_the_api_stores_the_current_version_or_the_one_sent(client, db):
    from crm.auth import services as accounts
    from tests.factories import make_user

    token = accounts.create_token(make_user("manager"), "t")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    body = {**FORM, "consent": True}
    assert client.post("/api/v1/enquiries", json=body, headers=headers).status_code == 201
    assert client.post("/api/v1/enquiries", json={**body, "mobile": "13807312346", "consent_version": "1"},
                       headers=headers).status_code == 201
    refused = client.post("/api/v1/enquiries", json={**body, "consent_version": "nope"}, headers=headers)
    assert refused.status_code == 422 and "consent_version" in refused.get_json()["fields"]
    db.session.rollback()
    assert list(db.session.scalars(select(Lead.consent_version).order_by(Lead.id))) == [consent.CURRENT, "1"]


def test_a_lead_without_consent_has_no_version(db):
    lead = make_lead(consent=False)
    assert lead.consent_at is None and lead.consent_version is None


def test_an_officers_lead_with_consent_gets_the_current_version(db):
    assert make_lead(consent=True).consent_version == consent.CURRENT


def test_the_validator_accepts_only_published_versions(app):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        for version, ok in (("1", True), (consent.CURRENT, True), ("", True), ("x" * 200, False)):
            form = EnquiryForm(formdata=MultiDict({**FORM, "consent_version": version}), meta={"csrf": False})
            form.set_industries([], "zh")
            assert form.validate() is ok, (version, form.errors)
            if ok:
                assert form.lead_values()["consent_version"] == (version or consent.CURRENT)


def test_a_zone_may_still_show_the_first_version(database_url):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        CONSENT_VERSION = "1"

    app = create_app(Config)
    with app.test_request_context():
        assert consent.current_version() == "1"
        html = app.test_client().get("/enquiry").get_data(as_text=True)
    assert _shown_version(html) == "1" and consent.TEXTS["1"].label_zh in html
    assert "个人信息处理说明" not in html  # version 1 had no separate notice


def test_an_unpublished_configured_version_stops_the_app_at_start(database_url):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        CONSENT_VERSION = "2099-01"

    with pytest.raises(RuntimeError, match="2099-01"):
        create_app(Config)
