"""Helpers for the security tests: valid form data, a database fingerprint, signing a client in."""

from sqlalchemy import select

from config import TestingConfig
from crm import create_app
from crm.extensions import db
from tests.conftest import CSRFClient
from tests.factories import PASSWORD


def valid_enquiry(**overrides) -> dict:
    """A complete enquiry as the public form posts it."""
    data = {
        "need": "land", "use": "新能源汽车电机控制器生产基地", "expected_tax": "1200",
        "company": "湖南星驰动力科技有限公司", "contact_name": "王建国", "mobile": "13807312345",
        "email": "wang@xingchi-power.cn", "area": "60", "investment": "50000",
        "message": "计划明年开工。", "consent": "y",
    }
    data.update(overrides)
    return data


def fingerprint() -> dict[str, list]:
    """Every row of every table (sign-in times left out): equal before and after means nothing changed."""
    db.session.rollback()
    rows = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name not in ("last_login_at", "last_used_at")]
        rows[table.name] = sorted(repr(tuple(row)) for row in db.session.execute(select(*columns)))
    return rows


def sign_in(client, user, *, remember=False, password=PASSWORD):
    """Sign `client` in as `user` through the login form."""
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def is_signed_in(client) -> bool:
    """Whether `client` still gets a signed-in page (My day) rather than the login redirect."""
    response = client.get("/leads/my-day")
    return response.status_code == 200


class DeviceClient(CSRFClient):
    """A browser of its own: each request runs in a fresh app context, as in production.

    The `db` fixture keeps an app context open and Flask reuses it for requests, so `g` (where Flask-Login
    caches the signed-in user) would leak from one client to the next; two "devices" need separate ones.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def device(application) -> DeviceClient:
    """A new client of `application` with its own cookies."""
    return DeviceClient(application, application.response_class, use_cookies=True)


def build_app(database_url: str, **settings):
    """A second app on the already-migrated test database, with extra settings (rate limits, Redis...)."""

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    for key, value in settings.items():
        setattr(Config, key, value)
    application = create_app(Config)
    application.test_client_class = DeviceClient
    return application
