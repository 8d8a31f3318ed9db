"""Fixtures for the public pages."""

from contextlib import contextmanager

import pytest
from public_helpers import table_counts
from sqlalchemy import inspect, text

from crm.extensions import db as _db


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
