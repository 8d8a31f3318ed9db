"""Two officers reserving the same site at the same moment: one success, one clear refusal.

Both races are real: two database connections in two threads, and two browsers' requests against a
running server. The database decides (a conditional UPDATE on the site row), on SQLite and PostgreSQL.
"""

import re
import threading
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from crm.core.formatting import local_today
from crm.extensions import db as _db
from crm.leads.models import Lead
from crm.sites import services
from crm.sites.models import Site, SiteEvent
from tests.factories import PASSWORD, make_lead, make_user
from tests.projects.kit import make_site

pytestmark = pytest.mark.slow


def test_two_connections_racing_for_one_site(app, db):
    """Connection A holds its reservation uncommitted while B tries: B waits for A, then is refused."""
    officer = make_user("officer")
    first, second = make_lead(owner=officer, stage="negotiation"), make_lead(owner=officer, stage="negotiation")
    site = make_site()
    ids = (site.id, first.id, second.id, officer.id)
    results: dict[str, str] = {}
    a_reserved = threading.Event()
    release_a = threading.Event()

    def attempt(name: str, lead_id: int, hold: bool):
        # Each thread pushes its own app context, so Flask-SQLAlchemy gives it its own session/connection.
        with app.test_request_context("/?lang=en"):
            session = _db.session
            try:
                lead = session.get(Lead, lead_id)
                by = session.get(type(officer), ids[3])
                today = local_today()
                try:
                    services.reserve_site(ids[0], lead, by=by, until=today + timedelta(days=7), today=today)
                    if hold:
                        a_reserved.set()
                        release_a.wait(timeout=10)
                    session.commit()
                    results[name] = "reserved"
                except services.ReservationRefused as err:
                    session.rollback()
                    results[name] = f"refused: {err}"
            finally:
                session.remove()

    thread_a = threading.Thread(target=attempt, args=("a", ids[1], True))
    thread_a.start()
    assert a_reserved.wait(timeout=10)
    thread_b = threading.Thread(target=attempt, args=("b", ids[2], False))
    thread_b.start()
    thread_b.join(timeout=0.5)
    assert thread_b.is_alive(), "B must wait for A's uncommitted reservation, not decide on stale data"
    release_a.set()
    thread_a.join(timeout=20)
    thread_b.join(timeout=20)
    assert results["a"] == "reserved"
    assert results["b"].startswith("refused") and "just taken" in results["b"]
    db.session.expire_all()
    stored = db.session.get(Site, ids[0])
    assert (stored.status, stored.reserved_for_id) == ("reserved", ids[1])
    assert db.session.scalar(select(func.count(SiteEvent.id)).where(
        SiteEvent.site_id == ids[0], SiteEvent.new_value == "reserved")) == 1


@pytest.fixture
def server(app, db):
    """The app served on a free local port by a threaded server, for the duration of one test."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def _browser(base: str, user) -> tuple[requests.Session, str]:
    browser = requests.Session()
    page = browser.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    response = browser.post(f"{base}/login", data={"email": user.email, "password": PASSWORD,
                                                   "csrf_token": token}, allow_redirects=False)
    assert response.status_code == 302, response.text[:300]
    return browser, token


def test_two_officers_reserving_at_the_same_moment(app, db, server):
    """Real concurrent HTTP requests, released together by a barrier, several rounds."""
    app.config["RATELIMIT_ENABLED"] = False
    alice, bob = make_user("officer"), make_user("officer")
    rounds = 4
    sites = [make_site() for _ in range(rounds)]
    leads = {alice.id: make_lead(owner=alice, stage="negotiation").id,
             bob.id: make_lead(owner=bob, stage="negotiation").id}
    site_ids = [site.id for site in sites]
    browsers = {user.id: _browser(server, user) for user in (alice, bob)}
    until = (local_today() + timedelta(days=10)).isoformat()
    for site_id in site_ids:
        barrier = threading.Barrier(2)
        outcomes: dict[int, requests.Response] = {}

        def reserve(user_id: int, site_id: int = site_id, barrier=barrier, outcomes=outcomes):
            browser, token = browsers[user_id]
            barrier.wait(timeout=10)
            outcomes[user_id] = browser.post(
                f"{server}/sites/{site_id}/reserve", allow_redirects=False,
                data={"csrf_token": token, "lead_id": leads[user_id], "until": until})

        threads = [threading.Thread(target=reserve, args=(uid,)) for uid in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        codes = sorted(response.status_code for response in outcomes.values())
        assert codes == [303, 409], codes
        winner = next(uid for uid, r in outcomes.items() if r.status_code == 303)
        loser = next(r for r in outcomes.values() if r.status_code == 409)
        assert "reservation-refused" in loser.text
        db.session.expire_all()
        stored = db.session.get(Site, site_id)
        assert (stored.status, stored.reserved_for_id) == ("reserved", leads[winner])
        assert db.session.scalar(select(func.count(SiteEvent.id)).where(
            SiteEvent.site_id == site_id, SiteEvent.new_value == "reserved")) == 1
    for browser, _token in browsers.values():
        browser.close()
