"""Configuration classes, fed by the environment variables named in PRODUCT.md."""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CRM_INSTANCE_PATH", BASE_DIR / "instance"))


def _secret_key() -> str:
    """Use SECRET_KEY, else a key generated once into instance/ so sessions survive restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs and bare postgresql:// should use psycopg 3, the driver we install.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = None  # filled lazily in create_app so importing config never writes files
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 15000
    REDIS_URL = os.environ.get("REDIS_URL")
    CRM_LOCALE = os.environ.get("CRM_LOCALE")
    LANGUAGES = ("zh_CN", "en")
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("CRM_TIMEZONE", "Asia/Shanghai")
    # One catalog folder per feature (translations/<feature>/<locale>/...); Flask-Babel merges them.
    BABEL_TRANSLATION_DIRECTORIES = ";".join(
        sorted(str(p) for p in (BASE_DIR / "translations").glob("*") if p.is_dir()))
    WTF_CSRF_TIME_LIMIT = None  # a form left open through a long call must still submit
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    LEADS_PER_PAGE = 50
    STALE_AFTER_DAYS = int(os.environ.get("CRM_STALE_AFTER_DAYS", "14"))
    ZONE_NAME = os.environ.get("CRM_ZONE_NAME", "株洲高新区（天元区）")
    ZONE_NAME_EN = os.environ.get("CRM_ZONE_NAME_EN", "Zhuzhou National High-tech Zone")
    # Win probability of each open stage, for the weighted pipeline. A zone may tune these.
    STAGE_PROBABILITIES = {
        "enquiry": 0.05,
        "contacted": 0.15,
        "site_visit": 0.35,
        "negotiation": 0.6,
        "signed": 1.0,
        "on_hold": 0.05,
        "lost": 0.0,
    }

    @classmethod
    def database_url(cls) -> str:
        return _database_url(f"sqlite:///{INSTANCE_DIR / 'parkleads.db'}")

    @classmethod
    def secret_key(cls) -> str:
        return _secret_key()


class DevelopmentConfig(Config):
    DEBUG = False  # the debugger must never face a zone intranet by accident; use FLASK_DEBUG=1


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only-secret"
    WTF_CSRF_ENABLED = True  # tests prove CSRF works; the client fixture sends the token
    RATELIMIT_ENABLED = False  # tests post many enquiries; tests/security turns limits on in its own app

    @classmethod
    def database_url(cls) -> str:
        return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'test.db'}"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env():
    """The config class named by CRM_ENV (development by default)."""
    return CONFIGS.get(os.environ.get("CRM_ENV", "development"), DevelopmentConfig)
