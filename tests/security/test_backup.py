"""`crm backup` and `crm restore`: a round trip into a fresh database keeps every row; restore guards data."""

import pytest

from crm.core import backup
from crm.extensions import db
from crm.leads import services
from tests.conftest import _fresh_database_url
from tests.factories import make_lead, make_user
from tests.security.helpers import build_app


def _seed():
    """A few users, leads and activities, with stage history and notices: rows in most tables."""
    officer, manager = make_user("officer"), make_user("manager")
    make_user("admin")
    for n in range(3):
        lead = make_lead(by=officer, owner=officer)
        services.log_activity(lead, kind="call", outcome=f"通话{n}", by=officer, next_action="回访")
        services.log_activity(lead, kind="visit", outcome="看厂房", by=officer)
    make_lead(by=None, source="web_form")
    db.session.commit()
    return officer, manager


@pytest.fixture
def empty_database(tmp_path_factory):
    """A brand-new database without tables, on the same kind of server as the test database."""
    url, drop = _fresh_database_url(tmp_path_factory)
    yield url
    drop()


def _run(application, *args):
    """Run `flask crm ARGS` on `application` (its own app context: the CLI reuses whichever is active)."""
    with application.app_context():
        result = application.test_cli_runner().invoke(args=["crm", *args])
        db.session.remove()
    return result


def test_backup_and_restore_into_a_fresh_database_keeps_every_row(app, db, tmp_path, empty_database):
    officer, _ = _seed()
    expected = backup.table_counts()
    assert expected["lead"] == 4 and expected["activity"] == 6 and expected["user"] >= 3

    result = _run(app, "backup", str(tmp_path / "zone.backup"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "zone.backup").stat().st_size > 0

    fresh = build_app(empty_database)
    result = _run(fresh, "restore", str(tmp_path / "zone.backup"))
    assert result.exit_code == 0, result.output
    with fresh.app_context():
        restored = backup.table_counts()
        db.session.remove()
    assert restored == expected
    assert restored["alembic_version"] == 1

    # The restored zone works: its users sign in and see their leads...
    client = fresh.test_client()
    assert client.post("/login", data={"email": officer.email, "password": "pass-1234"}).status_code == 302
    assert "测试企业" in client.get("/leads").get_data(as_text=True)
    # ...and new rows get fresh ids after the restored ones (sequences came along on PostgreSQL).
    with fresh.app_context():
        assert make_lead(by=None).id > 4
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_a_database_with_data_unless_forced(app, db, tmp_path):
    _seed()
    assert _run(app, "backup", str(tmp_path / "zone.backup")).exit_code == 0
    expected = backup.table_counts()
    make_lead(by=None)  # the database moved on after the backup
    after = backup.table_counts()

    refused = _run(app, "restore", str(tmp_path / "zone.backup"))
    assert refused.exit_code != 0
    assert "--force" in refused.output
    assert backup.table_counts() == after

    forced = _run(app, "restore", str(tmp_path / "zone.backup"), "--force")
    assert forced.exit_code == 0, forced.output
    db.session.remove()
    assert backup.table_counts() == expected


def test_restore_rejects_a_file_that_is_not_a_backup_of_this_kind_of_database(app, db, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    result = _run(app, "restore", str(junk), "--force")
    assert result.exit_code != 0 and "backup" in result.output
    foreign = tmp_path / "other.backup"
    foreign.write_bytes(b"PGDMP" if db.engine.dialect.name == "sqlite" else b"SQLite format 3\x00" + b"\0" * 100)
    result = _run(app, "restore", str(foreign), "--force")
    assert result.exit_code != 0 and "this database is" in result.output


def test_backup_needs_a_file_name(app, db, tmp_path):
    result = _run(app, "backup", str(tmp_path))
    assert result.exit_code != 0
