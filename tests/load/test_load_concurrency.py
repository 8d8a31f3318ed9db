"""Acceptance: concurrent writers against gunicorn with two workers, on SQLite and PostgreSQL.

- Twelve PATCHes carrying the same version: exactly one applies, eleven get 409, none a 5xx.
- 400 API enquiries sent at once: every one lands, once, with its own reference.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from crm.auth import services as accounts
from crm.leads import services
from crm.leads.models import Lead, LeadEvent

pytestmark = pytest.mark.slow

PATCHERS = 12
ENQUIRIES = 400
CLIENT_THREADS = 24


def _token(db, role="manager") -> dict:
    user = accounts.create_user(f"load-{role}-{threading.get_ident()}@zone.gov.cn", role=role, name="Load test")
    token = accounts.create_token(user, "load test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _summary(results) -> str:
    return ", ".join(f"{status}×{count}" for status, count in sorted(Counter(status for status, _ in results).items()))


def test_twelve_concurrent_patches_with_one_version_let_exactly_one_through(server, db):
    headers = _token(db)
    lead = services.create_lead({"kind": "land", "company_name": "株洲并发测试科技有限公司", "contact_name": "测试",
                                 "mobile": "+8613900000000"}, by=None, source="hotline")
    db.session.commit()
    lead_id, version = lead.id, lead.version
    url = f"{server.url}/api/v1/leads/{lead_id}"
    start = threading.Barrier(PATCHERS)

    def patch(n: int):
        with requests.Session() as session:
            session.headers.update(headers)
            start.wait(timeout=30)
            response = session.patch(url, json={"version": version, "timing": f"editor {n}"}, timeout=30)
            return response.status_code, response

    with ThreadPoolExecutor(max_workers=PATCHERS) as pool:
        results = list(pool.map(patch, range(PATCHERS)))

    statuses = Counter(status for status, _ in results)
    assert not [s for s in statuses if s >= 500], server.explain(f"server errors: {_summary(results)}")
    assert statuses == {200: 1, 409: PATCHERS - 1}, server.explain(f"expected one 200 and 11 409s: "
                                                                   f"{_summary(results)}")
    for status, response in results:
        assert response.headers["Content-Type"].startswith("application/json")
        if status == 409:
            assert response.json()["error"] and "version" in response.json()["fields"]

    [winner] = [response.json() for status, response in results if status == 200]
    db.session.rollback()
    stored = db.session.get(Lead, lead_id)
    assert stored.timing == winner["timing"]
    assert stored.version == winner["version"]
    timing_events = db.session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead_id,
                                                               LeadEvent.field == "timing")).all()
    assert [event.new_value for event in timing_events] == [winner["timing"]]


def test_400_concurrent_api_enquiries_all_land_once(server, db):
    headers = _token(db)
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0
    local = threading.local()

    def send(n: int):
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.headers.update(headers)
        payload = {
            "need": ("land", "factory_rental", "investment", "office")[n % 4],
            "use": "并发测试用途",
            "expected_tax": 100 + n,
            "company": f"并发测试第{n}号企业有限公司",
            "contact_name": f"联系人{n}",
            "mobile": f"+86139{n:08d}",
            "area": 10 + n,
            "consent": True,
        }
        try:
            response = session.post(f"{server.url}/api/v1/enquiries", json=payload, timeout=60)
        except requests.RequestException as err:
            return "error", repr(err)
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None
        return response.status_code, body

    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
        results = list(pool.map(send, range(ENQUIRIES)))

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: ENQUIRIES}, server.explain(f"expected {ENQUIRIES}×201, got {_summary(results)}; "
                                                        f"first problem: {next((r for r in results if r[0] != 201), None)}")
    ids = [body["id"] for _, body in results]
    references = [body["reference"] for _, body in results]
    assert len(set(ids)) == ENQUIRIES
    assert len(set(references)) == ENQUIRIES

    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Lead)) == ENQUIRIES
    stored = dict(db.session.execute(select(Lead.id, Lead.company_name)).all())
    assert set(stored) == set(ids)
    assert sorted(stored.values()) == sorted(f"并发测试第{n}号企业有限公司" for n in range(ENQUIRIES))
    assert {lead.reference for lead in db.session.scalars(select(Lead))} == set(references)
