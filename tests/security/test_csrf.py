"""CSRF: a form post without its token, with a forged one, or with another session's token gets 400 and
changes nothing; the same post with the right token goes through (so the 400 is the token's doing)."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.factories import make_lead, make_user
from tests.security.helpers import device, fingerprint, is_signed_in, sign_in, valid_enquiry

FORGED = "IjBhZDY5ZmU4YzQ3OTVlNDM1ZjM1NzM3YjYxYzU4ZDhhNzA5OTNkMDMi.aAAAAA.forged-signature-xxxxxxxxxxx"


@dataclass
class Case:
    role: str | None  # who posts (None: nobody signed in)
    path: Callable  # (setup) -> url
    data: Callable  # (setup) -> form fields
    ok: int = 302


def _lead_fields(lead) -> dict:
    return {"kind": lead.kind, "source": lead.source, "company_name": lead.company_name + "（新）",
            "contact_name": lead.contact_name, "mobile": "13973312345", "priority": "2",
            "version": str(lead.version)}


CASES = {
    "login": Case(None, lambda s: "/login",
                  lambda s: {"email": s["officer"].email, "password": "pass-1234"}),
    "enquiry": Case(None, lambda s: "/enquiry", lambda s: valid_enquiry(), ok=303),
    "lead new": Case("officer", lambda s: "/leads/new", lambda s: {
        "kind": "land", "source": "hotline", "company_name": "株洲智造电子有限公司", "contact_name": "周经理",
        "mobile": "13973312345", "priority": "2"}),
    "lead edit": Case("officer", lambda s: f"/leads/{s['lead'].id}/edit", lambda s: _lead_fields(s["lead"])),
    "lead stage": Case("officer", lambda s: f"/leads/{s['lead'].id}/stage", lambda s: {"stage": "contacted"}),
    "lead activity": Case("officer", lambda s: f"/leads/{s['lead'].id}/activities",
                          lambda s: {"kind": "call", "outcome": "电话沟通，约下周看厂房"}),
    "lead claim": Case("officer", lambda s: f"/leads/{s['free_lead'].id}/claim", lambda s: {}),
    "lead assign": Case("manager", lambda s: f"/leads/{s['free_lead'].id}/assign",
                        lambda s: {"owner_id": str(s["officer"].id)}),
    "admin add user": Case("admin", lambda s: "/admin/users", lambda s: {
        "email": "new.officer@zone.example", "name": "新专员", "role": "officer", "password": "long-enough-1"}),
    "admin change role": Case("admin", lambda s: f"/admin/users/{s['officer'].id}/role",
                              lambda s: {"role": "manager"}),
    "admin deactivate": Case("admin", lambda s: f"/admin/users/{s['officer'].id}/active/0", lambda s: {}),
    "logout": Case("officer", lambda s: "/logout", lambda s: {}),
}


def _setup():
    officer = make_user("officer")
    return {
        "officer": officer, "manager": make_user("manager"), "admin": make_user("admin"),
        "lead": make_lead(by=officer, owner=officer), "free_lead": make_lead(by=None),
    }


@pytest.mark.parametrize("name", CASES)
def test_form_posts_need_their_own_sessions_token(app, db, name):
    case = CASES[name]
    setup = _setup()
    browser, stranger = device(app), device(app)
    if case.role:
        sign_in(browser, setup[case.role])
    url, data = case.path(setup), case.data(setup)
    before = fingerprint()

    attempts = {
        "missing": dict(data),
        "forged": {**data, "csrf_token": FORGED},
        "another session's": {**data, "csrf_token": stranger.csrf_token()},
        "empty": {**data, "csrf_token": ""},
    }
    for label, fields in attempts.items():
        response = browser.post(url, data=fields, csrf=False)
        assert response.status_code == 400, f"{name}: {label} token got {response.status_code}"
        assert fingerprint() == before, f"{name}: a post with a {label} token changed the database"
    forged_header = browser.post(url, data=data, csrf=False, headers={"X-CSRFToken": FORGED})
    assert forged_header.status_code == 400
    if name == "logout":
        assert is_signed_in(browser), "a forged sign-out must not sign anyone out"
    if name == "login":
        assert not is_signed_in(browser)

    response = browser.post(url, data=data)
    assert response.status_code == case.ok, f"{name} with its token: {response.get_data(as_text=True)[:300]}"


def test_the_csrf_page_is_translated_and_says_what_to_do(client):
    response = client.post("/login", data={"email": "a@b.c", "password": "x"}, csrf=False)
    assert response.status_code == 400
    english = client.post("/login?lang=en", data={"email": "a@b.c", "password": "x"}, csrf=False)
    assert "reload the page" in english.get_data(as_text=True)
