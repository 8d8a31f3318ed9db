"""Fixtures for the JSON API: tokens made through the real service, and a JSON-speaking client."""


import pytest

from crm.auth import services as accounts


@pytest.fixture
def token_for(db):
    """token_for(user) makes an API token for `user` and returns the Authorization header."""

    def _token_for(user) -> dict:
        token = accounts.create_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _token_for


@pytest.fixture
def api_user(db):
    """A manager without a password (hashing one is slow, and the API never asks for it)."""
    user = accounts.create_user("partner-portal@zone.gov.cn", role="manager", name="Partner portal")
    db.session.commit()
    return user


@pytest.fixture
def auth(api_user, token_for):
    return token_for(api_user)
