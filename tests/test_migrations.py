"""The Alembic history: one head, and a migrated database that matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from config import BASE_DIR
from crm.core import search
from crm.extensions import db as _db


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(BASE_DIR / "migrations"))
    return ScriptDirectory.from_config(config)


def test_history_has_exactly_one_head():
    assert len(_scripts().get_heads()) == 1


def test_migrated_schema_matches_the_models(db):
    """`upgrade` built the test database; autogenerate must find nothing left to do."""
    with _db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True,
                                                         "include_name": search.include_name})
        differences = compare_metadata(context, _db.metadata)
    assert differences == [], differences


def test_upgrade_keeps_rows_of_a_database_made_by_the_first_revision(tmp_path):
    """A zone that installed an early release upgrades with its data in place (batch rebuilds included)."""
    import os

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from config import TestingConfig
    from crm import create_app

    if os.environ.get("TEST_DATABASE_URL"):
        import pytest

        pytest.skip("the populated-upgrade check runs on SQLite, where batch migrations rebuild tables")

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'old.db'}"

    app = create_app(Config)
    with app.app_context():
        upgrade(revision="0001")
        with _db.engine.begin() as conn:
            conn.execute(text("INSERT INTO \"user\" (id, email, name, role, active, session_nonce, created_at) "
                              "VALUES (1, 'o@zone.cn', 'O', 'officer', 1, 'n', '2026-01-01')"))
            conn.execute(text("INSERT INTO lead (id, status_token, kind, source, company_name, company_key, "
                              "contact_name, stage, stage_entered_at, owner_id, priority, is_key, consent, "
                              "created_at, updated_at, version) VALUES (1, 't', 'land', 'hotline', '意华', '意华', "
                              "'张', 'contacted', '2026-01-01', 1, 2, 0, 1, '2026-01-01', '2026-01-01', 1)"))
            conn.execute(text("INSERT INTO activity (lead_id, user_id, kind, occurred_at, outcome, created_at) "
                              "VALUES (1, 1, 'call', '2026-01-02', '首次联系', '2026-01-02')"))
        upgrade()
        with _db.engine.connect() as conn:
            counts = [conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in ("\"user\"", "lead",
                                                                                         "activity")]
        assert counts == [1, 1, 1]
        downgrade(revision="0001")
        _db.engine.dispose()
