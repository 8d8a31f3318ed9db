"""Test fixtures: a migrated database (SQLite file, or a fresh PostgreSQL database), clients, logins."""

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from config import TestingConfig
from crm import create_app
from crm.core.database import scratch_postgresql
from crm.extensions import db as _db
from tests.factories import table_counts

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _fresh_database_url(tmp_path_factory) -> tuple[str, callable]:
    """A URL to an empty database made for this run, and a function that removes it afterwards."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if not server_url:
        path = tmp_path_factory.mktemp(f"db-{worker}") / "test.db"
        return f"sqlite:///{path}", lambda: None
    return scratch_postgresql(server_url, f"parkleads_test_{worker}")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url, drop = _fresh_database_url(tmp_path_factory)
    yield url
    drop()


class CSRFClient(FlaskClient):
    """A test client that sends a valid CSRF token with every form POST unless told otherwise."""

    _token = None

    def csrf_token(self) -> str:
        if self._token is None:
            page = super().get("/login").get_data(as_text=True)
            match = _CSRF.search(page)
            self._token = match.group(1) or match.group(2)
        return self._token

    def open(self, *args, **kwargs):
        data = kwargs.get("data")
        method = kwargs.get("method", "GET")
        if method in ("POST", "PUT", "PATCH", "DELETE") and data is None and "json" not in kwargs:
            data = {}
        if method in ("POST", "PUT", "PATCH", "DELETE") and isinstance(data, dict) and "json" not in kwargs:
            if kwargs.pop("csrf", True) and "csrf_token" not in data:
                data = {**data, "csrf_token": self.csrf_token()}
                kwargs["data"] = data
        else:
            kwargs.pop("csrf", None)
        # Each request gets its own app context, as in production: otherwise every request of a test
        # shares the test's `g` (the cached locale, the signed-in user) and its database session.
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url):
    """The application on a freshly migrated database."""
    from flask_migrate import upgrade

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    from crm.core.catalogs import compile_all

    compile_all()  # a fresh clone has only .po files; Chinese pages need the compiled catalogs
    application = create_app(Config)
    application.test_client_class = CSRFClient
    with application.app_context():
        upgrade()
    return application


@pytest.fixture
def db(app):
    """An app context on an empty database; every row is removed after the test."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        _empty_all_tables()


def _empty_all_tables() -> None:
    """DELETE every row and restart the id sequences. (TRUNCATE of every table costs about a second per
    test on PostgreSQL; DELETE of the few rows a test writes takes milliseconds.)"""
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(seq, 1, false) FROM (SELECT pg_get_serial_sequence(quote_ident(name), "
                              "'id') AS seq FROM unnest(CAST(:names AS text[])) AS name) AS s WHERE seq IS NOT NULL"),
                         {"names": [table.name for table in tables if "id" in table.c]})


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def login(client):
    """login(user) signs the test client in as `user` (made with factories.make_user)."""

    def _login(user, password="pass-1234"):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return _login


@pytest.fixture
def artifacts():
    """Folder for files a person may want to look at after the run (screenshots, PDFs)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


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
