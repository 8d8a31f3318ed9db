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
