"""Fixtures for the JSON API: tokens made through the real service, and a JSON-speaking client."""

from contextlib import contextmanager

import pytest
from api_helpers import table_counts
from sqlalchemy import inspect, text

from crm.auth import services as accounts
from crm.extensions import db as _db


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


@pytest.fixture
def unchanged(db):
    """`with unchanged(): ...` fails if the block changed the number of rows in any table."""

    @contextmanager
    def _unchanged():
        before = table_counts()
        yield
        after = table_counts()
        changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
        assert not changed, f"rows changed (before, after): {changed}"

    return _unchanged


@pytest.fixture
def db(app):
    """tests/conftest.py's `db`, emptied with DELETE: on PostgreSQL its TRUNCATE of every table costs about a
    second per test, and this folder has hundreds of tests that store a row or two."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        _delete_all_rows()


def _delete_all_rows() -> None:
    existing = set(inspect(_db.engine).get_table_names())
    tables = [table for table in reversed(_db.metadata.sorted_tables) if table.name in existing]
    with _db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":  # as TRUNCATE ... RESTART IDENTITY would
            conn.execute(text("SELECT setval(seq, 1, false) FROM (SELECT pg_get_serial_sequence(quote_ident(name), "
                              "'id') AS seq FROM unnest(CAST(:names AS text[])) AS name) AS s WHERE seq IS NOT NULL"),
                         {"names": [table.name for table in tables if "id" in table.c]})
