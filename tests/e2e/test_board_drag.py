"""A real browser on the board: drag a card from Contacted to Site visit, meet the visit gate, answer it,
then move it on with the keyboard through the card's stage menu.

The app runs in a thread (werkzeug's make_server) on a free loopback port, against the test database;
Debian's Chromium is driven headless by Playwright. Screenshots go to test-artifacts/.
"""

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.core.database import utcnow
from crm.extensions import db as _db
from crm.leads.models import Activity, Lead

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.slow


@pytest.fixture
def live_server(app, db):
    """The test app served over HTTP in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _demo_zone():
    """The demo zone (a small one), and an officer's contacted lead with no visit logged yet, on top of
    their Contacted column. Falls back to factory data if the demo seed is not available."""
    try:
        from crm.demo.seed import PASSWORD, seed_demo

        seed_demo(lead_count=60)
        email, password = "li.wei@demo.zone", PASSWORD
    except (ImportError, NotImplementedError):
        from tests.factories import PASSWORD, make_user

        email, password = make_user("officer", email="li.wei@demo.zone").email, PASSWORD
    from crm.auth.models import User

    officer = _db.session.scalar(select(User).where(User.email == email))
    visited = select(Activity.lead_id).where(Activity.kind == "visit")
    lead = _db.session.scalar(select(Lead).where(Lead.owner_id == officer.id, Lead.stage == "contacted",
                                                 Lead.id.not_in(visited)).order_by(Lead.id).limit(1))
    if lead is None:
        from tests.factories import make_lead

        lead = make_lead(owner=officer, stage="contacted", company_name="株洲拖拽测试科技有限公司")
    lead.priority = 1
    lead.last_activity_at = utcnow() + timedelta(minutes=1)  # first card of the column
    _db.session.commit()
    return email, password, lead.id


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium is not installed at {CHROMIUM} "
                    "(Debian package `chromium`; `make system-deps` installs it)")
def test_drag_from_contacted_to_site_visit_asks_for_a_visit(live_server, artifacts):
    from playwright.sync_api import expect, sync_playwright

    email, password, lead_id = _demo_zone()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="en-US")
            page.goto(f"{live_server}/login?lang=en")
            page.fill("input[name=email]", email)
            page.fill("input[name=password]", password)
            page.locator("main form button[type=submit], main form .btn-primary").first.click()
            page.wait_for_url(lambda url: "/login" not in url)

            page.goto(f"{live_server}/pipeline?lang=en")
            card = page.locator(f"#card-{lead_id}")
            expect(card).to_have_attribute("data-stage", "contacted")
            expect(page.locator(f".board-list[data-stage=contacted] #card-{lead_id}")).to_be_visible()

            card.drag_to(page.locator(".board-list[data-stage=site_visit]"))

            gate = page.locator(f".board-list[data-stage=site_visit] #card-{lead_id}.gate")
            expect(gate).to_be_visible(timeout=10_000)
            expect(gate).to_contain_text("site visit")
            expect(gate.locator("textarea[name=visit_outcome]")).to_be_visible()
            page.screenshot(path=str(artifacts / "board-drag-visit-gate.png"))
            _db.session.expire_all()
            assert _db.session.get(Lead, lead_id).stage == "contacted"  # nothing moved yet

            gate.locator("textarea[name=visit_outcome]").fill("Saw the B3 standard factory; wants 2,000 m².")
            gate.locator("button.btn-primary").click()
            moved = page.locator(f".board-list[data-stage=site_visit] #card-{lead_id}:not(.gate)")
            expect(moved).to_have_attribute("data-stage", "site_visit", timeout=10_000)
            expect(page.locator("#col-head-site_visit")).to_be_visible()
            page.screenshot(path=str(artifacts / "board-drag-moved.png"))

            # Without a mouse: the card's stage menu, then Tab to its button and Enter.
            menu = moved.locator(".stage-menu select")
            menu.focus()
            menu.select_option("negotiation")
            page.keyboard.press("Tab")
            page.keyboard.press("Enter")
            negotiating = page.locator(f".board-list[data-stage=negotiation] #card-{lead_id}")
            expect(negotiating).to_have_attribute("data-stage", "negotiation", timeout=10_000)
            expect(negotiating.locator(".stage-menu select")).to_be_focused()
        finally:
            browser.close()
    _db.session.expire_all()
    assert _db.session.get(Lead, lead_id).stage == "negotiation"
    assert _db.session.scalar(select(Activity.kind).where(Activity.lead_id == lead_id, Activity.kind == "visit"))
