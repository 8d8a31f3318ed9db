"""Fixtures for the privacy tests: people of every role, a client per person, fast password hashing."""

import pytest
from privacy_helpers import People, signed_in

from tests.factories import make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """These tests sign several people in; scrypt's ~0.2 s per hash is tested elsewhere."""
    from werkzeug.security import generate_password_hash

    import crm.auth.models

    monkeypatch.setattr(crm.auth.models, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, method="pbkdf2:sha256:1000"))


@pytest.fixture
def people(db) -> People:
    """An owner, another officer, a manager and an admin."""
    return People(owner=make_user("officer", name="李伟"), other=make_user("officer", name="张敏"),
                  manager=make_user("manager", name="王局长"), admin=make_user("admin", name="系统管理员"))


@pytest.fixture
def browser_as(app, db):
    """browser_as(user): a test client of its own, signed in as `user`."""
    return lambda user: signed_in(app, user)
