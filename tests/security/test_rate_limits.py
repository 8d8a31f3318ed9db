"""Rate limits answer 429 with a translated message; sign-in locks an account after repeated failures."""

import time

from sqlalchemy import func, select

from crm.auth import services as accounts
from crm.extensions import db
from crm.leads.models import Lead
from tests.factories import make_user
from tests.security.helpers import device, valid_enquiry

ZH_TOO_MANY = "请求过于频繁"
EN_TOO_MANY = "Too many requests"


def _lead_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Lead))


def _from(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_limits_are_off_in_the_ordinary_test_app(app, client):
    """Other test folders post many enquiries: TestingConfig keeps limits off unless a test turns them on."""
    for _ in range(5):
        assert client.post("/enquiry", data=valid_enquiry()).status_code == 303


def test_enquiries_are_limited_per_client_address(limited_client):
    before = _lead_count()
    for _ in range(3):
        assert limited_client.post("/enquiry", data=valid_enquiry(), **_from("198.51.100.7")).status_code == 303
    refused = limited_client.post("/enquiry", data=valid_enquiry(), **_from("198.51.100.7"))
    assert refused.status_code == 429
    assert ZH_TOO_MANY in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert _lead_count() == before + 3
    # Another address is not affected, and reading the form is never limited.
    assert limited_client.post("/enquiry", data=valid_enquiry(), **_from("198.51.100.8")).status_code == 303
    assert limited_client.get("/enquiry", **_from("198.51.100.7")).status_code == 200


def test_the_429_page_speaks_the_readers_language(limited_client):
    for _ in range(3):
        limited_client.post("/enquiry?lang=en", data=valid_enquiry())
    refused = limited_client.post("/enquiry?lang=en", data=valid_enquiry())
    assert refused.status_code == 429
    assert EN_TOO_MANY in refused.get_data(as_text=True)
    assert "request id" in refused.get_data(as_text=True).lower()


def test_api_is_limited_per_token_with_a_json_answer(limited_client, limited_app):
    user = make_user("officer")
    first, second = accounts.create_token(user, "a"), accounts.create_token(user, "b")
    db.session.commit()
    for _ in range(5):
        assert limited_client.get("/api/v1/leads", headers={"Authorization": f"Bearer {first}"}).status_code == 200
    refused = limited_client.get("/api/v1/leads", headers={"Authorization": f"Bearer {first}"})
    assert refused.status_code == 429
    body = refused.get_json()
    assert set(body) >= {"error", "fields"} and ZH_TOO_MANY in body["error"]
    # The same client with another token has its own allowance.
    assert limited_client.get("/api/v1/leads", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_api_enquiries_count_against_the_token(limited_client):
    user = make_user("officer")
    token = accounts.create_token(user, "portal")
    db.session.commit()
    payload = {**valid_enquiry(), "consent": True}
    before = _lead_count()
    statuses = [limited_client.post("/api/v1/enquiries", json=payload,
                                    headers={"Authorization": f"Bearer {token}"}).status_code for _ in range(6)]
    assert statuses == [201] * 5 + [429]
    assert _lead_count() == before + 5


def test_login_is_limited_per_account_whatever_the_address(limited_client):
    """8 attempts a minute on one account (config RATELIMIT_LOGIN_ACCOUNT), even from many addresses."""
    statuses = [limited_client.post("/login", data={"email": "Target@Zone.Example", "password": ""},
                                    **_from(f"192.0.2.{n}")).status_code for n in range(9)]
    assert statuses == [400] * 8 + [429]
    # The account key ignores case and spaces around the address.
    assert limited_client.post("/login", data={"email": " target@zone.example ", "password": ""},
                               **_from("192.0.2.200")).status_code == 429
    assert limited_client.post("/login", data={"email": "other@zone.example", "password": ""},
                               **_from("192.0.2.201")).status_code == 400


def test_login_is_limited_per_address_whatever_the_account(limited_client):
    """20 attempts a minute from one address (RATELIMIT_LOGIN_ADDRESS), however many accounts it tries."""
    statuses = [limited_client.post("/login", data={"email": f"user{n}@zone.example", "password": ""},
                                    **_from("203.0.113.50")).status_code for n in range(21)]
    assert statuses == [400] * 20 + [429]
    assert limited_client.post("/login", data={"email": "user1@zone.example", "password": ""},
                               **_from("203.0.113.51")).status_code == 400


def _attempt(client, email, password, address="192.0.2.77"):
    return client.post("/login", data={"email": email, "password": password}, **_from(address))


def test_five_wrong_passwords_lock_the_account(limited_client, limited_app):
    user = make_user("officer")
    statuses = [_attempt(limited_client, user.email, "wrong-guess").status_code for _ in range(5)]
    assert statuses == [401] * 4 + [429]
    locked = _attempt(limited_client, user.email, "pass-1234", address="192.0.2.78")
    assert locked.status_code == 429, "the right password does not open a locked account"
    assert "账号已被锁定" in locked.get_data(as_text=True)
    english = limited_client.post("/login?lang=en", data={"email": user.email, "password": "pass-1234"})
    assert "This account is locked; try again in 15 minutes." in english.get_data(as_text=True)
    # Other accounts still sign in.
    other = make_user("officer")
    assert _attempt(device(limited_app), other.email, "pass-1234").status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(limited_client, limited_app):
    user = make_user("officer")
    for _ in range(4):
        assert _attempt(limited_client, user.email, "wrong").status_code == 401
    assert _attempt(device(limited_app), user.email, "pass-1234").status_code == 302
    # Without the reset these would make 7 failures and lock; 3 keep within the 8 attempts a minute per account.
    for _ in range(3):
        assert _attempt(limited_client, user.email, "wrong").status_code == 401


def test_the_lock_ends_after_its_time(limited_client, limited_app, monkeypatch):
    monkeypatch.setitem(limited_app.config, "LOGIN_LOCKOUT_SECONDS", 1)
    user = make_user("officer")
    for _ in range(5):
        _attempt(limited_client, user.email, "wrong")
    assert _attempt(limited_client, user.email, "pass-1234").status_code == 429
    time.sleep(1.3)
    assert _attempt(limited_client, user.email, "pass-1234").status_code == 302


def test_unknown_accounts_lock_the_same_way(limited_client):
    """The answer must not reveal whether an account exists."""
    statuses = [_attempt(limited_client, "nobody@zone.example", "x").status_code for _ in range(6)]
    assert statuses == [401] * 4 + [429, 429]


def test_limits_can_be_set_from_the_environment(app, database_url, monkeypatch):
    from tests.security.helpers import build_app

    monkeypatch.setenv("CRM_RATELIMIT_ENQUIRY", "2/minute")
    monkeypatch.setenv("CRM_LOGIN_LOCKOUT_FAILURES", "7")
    tuned = build_app(database_url, RATELIMIT_ENABLED=True)
    assert tuned.config["RATELIMIT_ENQUIRY"] == "2/minute" and tuned.config["LOGIN_LOCKOUT_FAILURES"] == 7
    monkeypatch.setenv("CRM_RATELIMIT_ENABLED", "0")
    from crm.core.limits import defaults

    assert defaults()["RATELIMIT_ENABLED"] is False
