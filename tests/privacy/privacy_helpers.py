"""Helpers for the privacy tests: sign a client in, make a confidential lead, read JSON and text back."""

from dataclasses import dataclass

from crm.extensions import db
from crm.privacy import services
from tests.factories import PASSWORD, make_lead

MOBILE = "+8613807312345"
MASKED = "+86138****2345"


@dataclass
class People:
    owner: object
    other: object
    manager: object
    admin: object


def signed_in(app, user):
    """A new client signed in as `user` through the login form."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def owned_lead(owner, **fields):
    """A lead owned by `owner`, with a known mobile and email."""
    values = {"company_name": "湖南星驰动力科技有限公司", "contact_name": "王建国", "mobile": MOBILE,
              "email": "wang@xingchi-power.cn", "credit_code": None, "message": "计划明年开工，星驰动力。"}
    values.update(fields)
    return make_lead(by=owner, owner=owner, **values)


def confidential_lead(owner, codename="项目A-07", **fields):
    """A lead its owner has marked confidential under `codename`."""
    lead = owned_lead(owner, **fields)
    services.set_confidential(lead, confidential=True, codename=codename, by=owner)
    db.session.commit()
    return lead


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)
