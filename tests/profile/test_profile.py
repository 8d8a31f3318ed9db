"""The profile page: name, language, duty, password, and API tokens shown once, listed and revocable."""

import re

import pytest
from sqlalchemy import select

from crm.auth.models import ApiToken, User
from crm.extensions import db as _db
from tests.factories import PASSWORD, make_user

TOKEN = re.compile(r'value="(pl_[A-Za-z0-9_-]{20,})"')


def _user(user_id) -> User:
    _db.session.rollback()
    return _db.session.get(User, user_id)


def _tokens(user_id) -> list[ApiToken]:
    _db.session.rollback()
    return list(_db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)))


def test_the_profile_needs_sign_in(client):
    response = client.get("/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_menu_links_to_the_profile(client, login):
    login(make_user("officer"))
    html = client.get("/leads").get_data(as_text=True)
    assert 'href="/profile"' in html


def test_save_name_language_and_duty(client, login):
    user = login(make_user("officer"))
    response = client.post("/profile", data={"name": "李明", "locale": "en", "is_duty": "y"})
    assert response.status_code == 302
    saved = _user(user.id)
    assert (saved.name, saved.locale, saved.is_duty) == ("李明", "en", True)
    assert '<html lang="en"' in client.get("/profile").get_data(as_text=True)  # the session follows the choice
    client.post("/profile", data={"name": "李明", "locale": ""})
    saved = _user(user.id)
    assert (saved.locale, saved.is_duty) == (None, False)


def test_the_chosen_language_follows_the_user_to_a_new_sign_in(app, db):
    user = make_user("officer")
    user.locale = "en"
    _db.session.commit()
    fresh = app.test_client()
    fresh.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": fresh.csrf_token()})
    assert '<html lang="en"' in fresh.get("/profile").get_data(as_text=True)


@pytest.mark.parametrize(("data", "field"), [({"name": ""}, "name"), ({"name": "x" * 101}, "name"),
                                              ({"name": "李", "locale": "fr"}, "locale")])
def test_invalid_profile_changes_are_refused(client, login, data, field):
    user = login(make_user("officer", name="原名"))
    response = client.post("/profile", data=data)
    assert response.status_code == 400 and "invalid-feedback" in response.get_data(as_text=True)
    assert _user(user.id).name == "原名"


def test_change_password_keeps_this_session_and_ends_others(app, client, login):
    user = login(make_user("officer"))
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": PASSWORD,
                                      "csrf_token": other_device.csrf_token()})
    assert other_device.get("/profile").status_code == 200
    response = client.post("/profile/password", data={"current_password": PASSWORD,
                                                      "new_password": "new-pass-5678", "confirm": "new-pass-5678"})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert other_device.get("/profile").status_code == 302
    assert _user(user.id).check_password("new-pass-5678")


@pytest.mark.parametrize(("current", "new", "confirm", "field_error"), [
    ("wrong-password", "new-pass-5678", "new-pass-5678", "current"),
    (PASSWORD, "short", "short", "length"),
    (PASSWORD, "new-pass-5678", "new-pass-9999", "differ"),
    (PASSWORD, PASSWORD, PASSWORD, "same"),
])
def test_bad_password_changes_are_refused(client, login, current, new, confirm, field_error):
    user = login(make_user("officer"))
    response = client.post("/profile/password", data={"current_password": current, "new_password": new,
                                                      "confirm": confirm})
    assert response.status_code == 400 and "invalid-feedback" in response.get_data(as_text=True)
    assert _user(user.id).check_password(PASSWORD)


def test_a_token_is_shown_once_listed_and_works(client, login):
    user = login(make_user("officer"))
    response = client.post("/profile/tokens", data={"name": "招商门户"})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    token = TOKEN.search(response.get_data(as_text=True)).group(1)
    [record] = _tokens(user.id)
    assert record.name == "招商门户" and record.token_hash == ApiToken.hash(token)
    page = client.get("/profile").get_data(as_text=True)
    assert token not in page and record.prefix in page and "招商门户" in page
    assert client.get("/api/v1/leads", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert record.last_used_at is None and _tokens(user.id)[0].last_used_at is not None


def test_revoking_a_token_stops_it(client, login):
    user = login(make_user("officer"))
    token = TOKEN.search(client.post("/profile/tokens", data={"name": "脚本"}).get_data(as_text=True)).group(1)
    [record] = _tokens(user.id)
    assert client.post(f"/profile/tokens/{record.id}/revoke").status_code == 302
    assert client.get("/api/v1/leads", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert record.prefix not in client.get("/profile").get_data(as_text=True)
    assert client.post(f"/profile/tokens/{record.id}/revoke").status_code == 404  # already revoked


def test_nobody_revokes_someone_elses_token(client, login):
    from crm.auth import services as accounts

    owner = make_user("officer")
    accounts.create_token(owner, "theirs")
    _db.session.commit()
    [record] = _tokens(owner.id)
    login(make_user("admin"))
    assert client.post(f"/profile/tokens/{record.id}/revoke").status_code == 404
    assert _tokens(owner.id)[0].revoked_at is None


def test_a_token_needs_a_name(client, login):
    user = login(make_user("officer"))
    response = client.post("/profile/tokens", data={"name": "  "})
    assert response.status_code == 400 and _tokens(user.id) == []


def test_the_number_of_live_tokens_is_bounded(client, login, monkeypatch):
    from crm.profile import services

    monkeypatch.setattr(services, "MAX_TOKENS", 2)
    user = login(make_user("officer"))
    assert [client.post("/profile/tokens", data={"name": f"t{n}"}).status_code for n in range(3)] == [201, 201, 400]
    assert len(_tokens(user.id)) == 2


def test_profile_forms_need_the_csrf_token(client, login):
    user = login(make_user("officer", name="原名"))
    assert client.post("/profile", data={"name": "新名"}, csrf=False).status_code == 400
    assert client.post("/profile/tokens", data={"name": "x"}, csrf=False).status_code == 400
    assert _user(user.id).name == "原名" and _tokens(user.id) == []
