"""Fixtures for the profile tests."""

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """scrypt costs ~0.2 s a hash by design; these tests set and check passwords and test other things."""
    from werkzeug.security import generate_password_hash

    import crm.auth.models

    monkeypatch.setattr(crm.auth.models, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, method="pbkdf2:sha256:1000"))
