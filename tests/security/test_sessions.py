"""Sessions: signing out or deactivation ends a user's sessions on every device, remember-me cookie included."""

from crm.auth.models import User
from tests.factories import make_user
from tests.security.helpers import device, is_signed_in, sign_in


def _two_devices(app):
    return device(app), device(app)


def _forget_session_cookie(client):
    """What a browser restart does: the session cookie goes, the remember-me cookie stays."""
    client.delete_cookie("session")


def test_signing_out_on_one_device_signs_out_the_other(app, db):
    user = make_user("officer")
    laptop, phone = _two_devices(app)
    sign_in(laptop, user)
    sign_in(phone, user)
    assert is_signed_in(laptop) and is_signed_in(phone)

    assert laptop.post("/logout").status_code == 302

    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    response = phone.get("/leads")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_remember_me_cookie_signs_in_again_until_the_user_signs_out_elsewhere(app, db):
    user = make_user("officer")
    laptop, phone = _two_devices(app)
    sign_in(laptop, user)
    sign_in(phone, user, remember=True)
    assert phone.get_cookie("remember_token") is not None

    _forget_session_cookie(phone)
    assert is_signed_in(phone), "the remember-me cookie alone should sign the phone in again"

    laptop.post("/logout")
    _forget_session_cookie(phone)
    assert not is_signed_in(phone), "an old remember-me cookie must not outlive signing out elsewhere"


def test_a_remember_me_cookie_cannot_be_replayed_after_sign_out(app, db):
    user = make_user("officer")
    phone = device(app)
    sign_in(phone, user, remember=True)
    stolen = phone.get_cookie("remember_token").value
    phone.post("/logout")

    thief = device(app)
    thief.set_cookie("remember_token", stolen)
    assert not is_signed_in(thief)


def test_deactivating_a_user_ends_their_sessions_and_tokens(app, db):
    from crm.auth import services

    admin = make_user("admin")
    user = make_user("officer")
    token = services.create_token(user, "partner")
    db.session.commit()
    laptop, phone = _two_devices(app)
    sign_in(laptop, user)
    sign_in(phone, user, remember=True)
    admin_client = device(app)
    sign_in(admin_client, admin)

    response = admin_client.post(f"/admin/users/{user.id}/active/0")
    assert response.status_code == 302

    assert not is_signed_in(laptop)
    _forget_session_cookie(phone)
    assert not is_signed_in(phone)
    assert device(app).get("/api/v1/leads", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # Reactivating does not bring the old sessions back: the user signs in again.
    admin_client.post(f"/admin/users/{user.id}/active/1")
    assert db.session.get(User, user.id).active
    assert not is_signed_in(laptop)
    sign_in(laptop, user)
    assert is_signed_in(laptop)


def test_a_session_of_a_deactivated_user_is_refused_even_without_a_new_nonce(app, db):
    """Belt and braces: an inactive user is signed out even if the nonce was not rotated."""
    user = make_user("officer")
    laptop = device(app)
    sign_in(laptop, user)
    db.session.get(User, user.id).active = False
    db.session.commit()
    assert not is_signed_in(laptop)


def test_session_cookie_flags_in_testing(app, db):
    user = make_user("officer")
    client = device(app)
    response = sign_in(client, user, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
