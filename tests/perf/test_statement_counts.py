"""Query discipline: each page sends a small, fixed number of SQL statements, whatever the rows it shows.

Every page is requested with 5 rows of everything and again with 60 (more than a page of 50), counting the
statements with a before_cursor_execute listener on the engine (tests/perf/conftest.py). The count must be
the same at both sizes (no N+1: nothing is loaded per row) and under the page's ceiling.

The zone is built once for the module and grown from 5 to 60 in place; the tests read the counts.
"""

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from crm.auth.models import User
from crm.core.database import utcnow
from crm.extensions import db as _db
from crm.leads import services
from crm.leads.models import Lead
from tests.conftest import _empty_all_tables
from tests.factories import make_industry, make_lead, make_user
from tests.projects.kit import make_project, make_site

SMALL, LARGE = 5, 60
STAGES = ("enquiry", "contacted", "site_visit", "negotiation", "on_hold")

# page → the most statements it may send. Session user, the unread-notices badge and the page's own reads:
# a handful each, never one per row.
CEILINGS = {
    "/leads": 6,
    "/leads?q=测试企业": 6,
    "/leads?stage=contacted&sort=investment": 6,
    "/leads/{lead}": 12,
    "/leads/my-day": 8,
    "/pipeline": 12,
    "/dashboard": 16,
    "/targets": 13,
    "/projects": 19,
    "/projects/{project}": 14,
    "/sites": 8,
    "/sites/{site}": 6,
    "/notifications": 5,
    "/tax": 6,
    "/admin/users": 5,
    "/api/v1/leads": 6,
    "/api/v1/projects": 6,
}


class Zone:
    """The data every page shows, grown in place from one size to the next."""

    def __init__(self):
        self.admin = make_user("admin")
        self.officer = make_user("officer")
        make_industry()
        self.leads: list[Lead] = []
        self.projects, self.sites = [], []
        self.big = None

    def grow_to(self, n: int) -> None:
        now = utcnow()
        while len(self.leads) < n:
            i = len(self.leads)
            # Every other lead comes from the public form (a notice for the admin); the rest an officer logs.
            by = None if i % 2 else self.officer
            lead = make_lead(by=by, owner=self.officer, stage=STAGES[i % len(STAGES)], commit=False,
                             industry_code="nev", planned_investment_wan=1000 + i)
            services.log_activity(lead, kind="call", outcome=f"第{i}次电话", by=self.officer,
                                  occurred_at=now - timedelta(hours=i), next_action="回访",
                                  next_action_due=(now + timedelta(days=i % 7 - 3)).date())
            self.leads.append(lead)
            self.projects.append(make_project(by=self.admin, commit=False, industry_code="nev",
                                              investment_wan=5000 + i, land_mu=20 + i, promised_tax_wan=100))
            self.sites.append(make_site(commit=False))
            # More accounts for the admin's user list (no password: hashing 60 of them would be slow).
            _db.session.add(User(email=f"perf{i}@test.zone", name=f"用户{i}", role="officer", password_hash=None))
        self.big = self.big or self.leads[0]
        have = len(self.big.activities)
        for i in range(have, n):  # the lead page's timeline: n activities and their audit events
            services.log_activity(self.big, kind="visit" if i % 3 == 0 else "call", outcome=f"跟进{i}",
                                  by=self.officer, occurred_at=now - timedelta(days=i))
        _db.session.commit()

    def urls(self) -> dict[str, str]:
        ids = {"lead": self.big.id, "project": self.projects[0].id, "site": self.sites[0].id}
        return {page: page.format(**ids) for page in CEILINGS}


def _count(client, url: str, headers=None) -> tuple[int, list[str], int]:
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    client.get(url, headers=headers)  # warm: templates compiled, the session's user known
    event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(url, headers=headers)
    finally:
        event.remove(_db.engine, "before_cursor_execute", listener)
    return len(seen), seen, response.status_code


@pytest.fixture(scope="module")
def measured(app):
    """{page: {size: (count, statements, status)}} for every page in CEILINGS."""
    from crm.auth import services as accounts

    results: dict[str, dict] = {page: {} for page in CEILINGS}
    with app.app_context():
        zone = Zone()
        token = accounts.create_token(zone.admin, "perf")
        _db.session.commit()
        client = app.test_client()
        response = client.post("/login", data={"email": zone.admin.email, "password": "pass-1234"})
        assert response.status_code == 302
        for size in (SMALL, LARGE):
            zone.grow_to(size)
            assert _db.session.scalar(select(Lead.id).order_by(Lead.id.desc()).limit(1))
            for page, url in zone.urls().items():
                headers = {"Authorization": f"Bearer {token}"} if page.startswith("/api/") else None
                results[page][size] = _count(client, url, headers)
        _db.session.remove()
        _empty_all_tables()
    return results


@pytest.mark.parametrize("page", list(CEILINGS))
def test_statement_count_is_fixed_and_small(measured, page):
    small, large = measured[page][SMALL], measured[page][LARGE]
    assert small[2] == 200 and large[2] == 200, (page, small[2], large[2])
    assert large[0] == small[0], (
        f"{page}: {small[0]} statements with {SMALL} rows but {large[0]} with {LARGE} — something is loaded per "
        "row:\n  " + "\n  ".join(s[:160].replace("\n", " ") for s in large[1]))
    assert large[0] <= CEILINGS[page], (
        f"{page}: {large[0]} statements, ceiling {CEILINGS[page]}:\n  "
        + "\n  ".join(s[:160].replace("\n", " ") for s in large[1]))
