"""Fixtures for the security tests: an app with rate limits on, sample data for every role."""

import uuid

import pytest

from crm.core.limits import limiter_for
from tests.security.helpers import build_app


@pytest.fixture(scope="session")
def limited_app(app, database_url):
    """The app with rate limits and the sign-in lockout on (memory storage), small limits to test them."""
    return build_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                     RATELIMIT_KEY_PREFIX=f"parkleads-test-{uuid.uuid4().hex[:8]}",
                     RATELIMIT_ENQUIRY="3/minute", RATELIMIT_API="5/minute", RATELIMIT_API_ADDRESS="50/minute",
                     RATELIMIT_LOGIN_ADDRESS="20/minute", RATELIMIT_LOGIN_ACCOUNT="8/minute")


@pytest.fixture
def limited_client(limited_app, db):
    """A client of `limited_app`, with every counter back at zero."""
    limiter_for(limited_app).reset()
    yield limited_app.test_client()
    limiter_for(limited_app).reset()


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """scrypt costs ~0.2 s a hash by design; these tests sign in hundreds of times and test other things."""
    from werkzeug.security import generate_password_hash

    import crm.auth.models

    monkeypatch.setattr(crm.auth.models, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, method="pbkdf2:sha256:1000"))
