"""ParkLeads: investment-promotion lead CRM for industrial zones."""

import logging

from flask import Flask

from config import config_from_env

log = logging.getLogger(__name__)


def create_app(config_class=None) -> Flask:
    """Build the application: config, extensions, blueprints, commands."""
    config_class = config_class or config_from_env()
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_path=str(__import__("config").INSTANCE_DIR))
    app.config.from_object(config_class)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_class.secret_key()
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = config_class.database_url()
    register_extensions(app)
    from crm.core import hygiene

    hygiene.register(app)
    register_blueprints(app)
    register_commands(app)
    from crm.core import errors, security, templating

    errors.register(app)
    templating.register(app)
    security.register(app)  # headers, rate limits, request logs: after every blueprint is registered
    return app


def register_extensions(app: Flask) -> None:
    import crm.models  # noqa: F401  (registers every table with the metadata)
    from crm.core import database, i18n
    from crm.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine, app.config)
    migrate.init_app(app, db, directory=str(__import__("config").BASE_DIR / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_parsed_locale)
    babel.domain_instance = i18n.FeatureCatalogs()


# One line per feature package; each exposes a blueprint `bp`.
BLUEPRINTS = (
    "crm.public",
    "crm.auth",
    "crm.leads",
    "crm.admin",
    "crm.api",
    "crm.api.docs",
    "crm.notifications",
    "crm.profile",
    "crm.board",
    "crm.dashboard",
    "crm.briefs",
    "crm.sites",
    "crm.projects",
    "crm.tax",
    "crm.jobs",
    "crm.imports",
    "crm.privacy",
)


def register_blueprints(app: Flask) -> None:
    import importlib

    for module in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module).bp)


def register_commands(app: Flask) -> None:
    from crm.cli import crm_cli

    app.cli.add_command(crm_cli)
