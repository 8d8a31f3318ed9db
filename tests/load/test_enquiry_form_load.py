"""Acceptance (issue 7): 400 enquiries through the public HTML form from 32 concurrent clients, against
gunicorn with two workers, on SQLite and PostgreSQL: no 5xx, and every accepted enquiry is stored once.

Each client is a browser of its own (a requests.Session with its cookies): it opens the form once, takes
the CSRF token of its session from it, and posts its share of the enquiries. Rate limits are switched off for this server
(CRM_RATELIMIT_ENABLED=0): every client shares 127.0.0.1, and the limits are tested elsewhere.
"""

import os
import re
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from crm.leads.models import Lead

pytestmark = pytest.mark.slow

ENQUIRIES = 400
CLIENTS = 32
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def no_rate_limits():
    """The environment the gunicorn below starts with: rate limits off."""
    previous = os.environ.get("CRM_RATELIMIT_ENABLED")
    os.environ["CRM_RATELIMIT_ENABLED"] = "0"
    yield
    if previous is None:
        os.environ.pop("CRM_RATELIMIT_ENABLED", None)
    else:
        os.environ["CRM_RATELIMIT_ENABLED"] = previous


@pytest.fixture(scope="module")
def server(no_rate_limits, server):
    """tests/load/conftest.py's gunicorn (2 workers), started without rate limits."""
    return server


def _form(n: int, marker: str) -> dict:
    return {
        "need": ("land", "factory_rental", "investment", "office")[n % 4],
        "use": "压力测试用途：新能源汽车零部件生产",
        "expected_tax": str(100 + n),
        "company": f"压测第{n}号科技有限公司",
        "contact_name": f"联系人{n}",
        "mobile": f"139{n:08d}",
        "email": f"load{n}@example.cn",
        "area": str(10 + n % 50),
        "investment": str(1000 + n),
        "message": marker,
        "consent": "y",
    }


def test_400_enquiries_from_32_browsers_all_land_exactly_once(server, db):
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0
    run = uuid.uuid4().hex[:8]
    local = threading.local()

    def send(n: int):
        marker = f"load-{run}-{n:04d}"
        try:
            if getattr(local, "session", None) is None:  # a new browser opens the form: its session, its token
                local.session = requests.Session()
                local.session.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
                page = local.session.get(f"{server.url}/enquiry", timeout=60)
                if page.status_code != 200:
                    return n, marker, f"GET {page.status_code}"
                match = _CSRF.search(page.text)
                local.token = match.group(1) or match.group(2)
            session = local.session
            data = {**_form(n, marker), "csrf_token": local.token}
            posted = session.post(f"{server.url}/enquiry", data=data, timeout=60, allow_redirects=False)
        except requests.RequestException as err:
            return n, marker, f"error {err!r}"
        if posted.status_code == 303 and "/enquiry/thanks" not in posted.headers.get("Location", ""):
            return n, marker, f"303 to {posted.headers.get('Location')}"
        return n, marker, posted.status_code

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(send, range(ENQUIRIES)))

    statuses = Counter(status for _n, _marker, status in results)
    server_errors = {s: c for s, c in statuses.items() if isinstance(s, int) and s >= 500}
    assert not server_errors, server.explain(f"server errors: {statuses}")
    assert statuses == {303: ENQUIRIES}, server.explain(
        f"expected {ENQUIRIES}×303, got {dict(statuses)}; first problem: "
        f"{next((r for r in results if r[2] != 303), None)}")

    accepted = {marker for _n, marker, status in results if status == 303}
    db.session.rollback()
    stored = Counter(db.session.scalars(select(Lead.message)))
    assert set(stored) == accepted, f"missing: {sorted(accepted - set(stored))[:5]}, " \
                                    f"unexpected: {sorted(set(stored) - accepted)[:5]}"
    assert max(stored.values()) == 1, f"stored twice: {[m for m, c in stored.items() if c > 1][:5]}"
    rows = db.session.execute(select(Lead.message, Lead.company_name, Lead.mobile, Lead.source, Lead.stage,
                                     Lead.consent_version)).all()
    for message, company, mobile, source, stage, version in rows:
        n = int(message.rsplit("-", 1)[1])
        assert company == f"压测第{n}号科技有限公司" and mobile == f"+86139{n:08d}"
        assert (source, stage) == ("web_form", "enquiry") and version
    assert len({lead.reference for lead in db.session.scalars(select(Lead))}) == ENQUIRIES
