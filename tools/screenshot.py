"""Take the README screenshot: a lead's page in the demo zone, as an investment officer sees it.

    .venv/bin/python tools/screenshot.py [--out docs/screenshots/lead.png] [--lang zh_CN] [--height 1500]

It builds a fresh demo zone in a temporary SQLite database (the seed `make run` loads), serves it on a free
loopback port, signs in as li.wei@demo.zone in Debian's Chromium (headless, driven by Playwright), opens that
officer's lead with the richest timeline and saves a PNG 1280 pixels wide. Nothing outside the temporary
folder is touched, so it can run beside a `make run` server.
"""

import argparse
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
WIDTH = 1280


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "lead.png"))
    parser.add_argument("--lang", default="zh_CN", help="UI language: zh_CN or en")
    parser.add_argument("--height", type=int, default=1900, help="at most this many pixels of the page")
    parser.add_argument("--lead", type=int, default=None, help="an officer's lead id (default: the richest page)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="parkleads-shot-") as folder:
        # Before the app is imported: config reads these once.
        os.environ["CRM_INSTANCE_PATH"] = folder
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/demo.db"
        os.environ.pop("CRM_LOCALE", None)
        sys.path.insert(0, str(ROOT))
        for name in ("werkzeug", "crm.requests", "alembic"):
            logging.getLogger(name).setLevel(logging.WARNING)
        app = _demo_app()
        with app.app_context():
            lead_id, email = _richest_lead(args.lead)
        _shoot(app, lead_id, email, Path(args.out), args.lang, args.height)
    print(f"Saved {args.out} (lead {lead_id} as {email}, {Path(args.out).stat().st_size // 1024} KB)")
    return 0


def _demo_app():
    """The app on a freshly migrated database holding the demo zone."""
    from flask_migrate import upgrade

    from crm import create_app
    from crm.demo.seed import seed_demo

    app = create_app()
    with app.app_context():
        upgrade()
        seed_demo()
    return app


def _richest_lead(lead_id: int | None) -> tuple[int, str]:
    """The lead to show and its owner's email: by default an officer's negotiating or signed lead whose page
    tells the most (a key lead, with a sponsoring leader, with the longest timeline)."""
    from sqlalchemy import func, select

    from crm.auth.models import User
    from crm.extensions import db
    from crm.leads.models import Activity, Lead, LeadEvent

    activities = select(Activity.lead_id, func.count().label("n")).group_by(Activity.lead_id).subquery()
    events = select(LeadEvent.lead_id, func.count().label("n")).group_by(LeadEvent.lead_id).subquery()
    query = (select(Lead.id, User.email).join(User, User.id == Lead.owner_id)
             .outerjoin(activities, activities.c.lead_id == Lead.id)
             .outerjoin(events, events.c.lead_id == Lead.id)
             .where(User.role == "officer"))
    if lead_id is not None:
        return db.session.execute(query.where(Lead.id == lead_id)).one()
    query = (query.where(Lead.stage.in_(("negotiation", "signed")))
             .order_by(Lead.is_key.desc(), Lead.sponsoring_leader.is_(None), Lead.stage != "signed",
                       (func.coalesce(activities.c.n, 0) + func.coalesce(events.c.n, 0)).desc(), Lead.id)
             .limit(1))
    return db.session.execute(query).one()


def _shoot(app, lead_id: int, email: str, out: Path, lang: str, height: int) -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from crm.demo.seed import PASSWORD

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as playwright:
            locale = "zh-CN" if lang.startswith("zh") else "en-US"
            # Date inputs follow Chromium's own UI language (--lang, LANGUAGE), not the page's locale; that
            # needs Debian's chromium-l10n, without which they stay mm/dd/yyyy.
            env = {**os.environ, "LANGUAGE": locale.replace("-", "_"), "LANG": locale.replace("-", "_") + ".UTF-8"}
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", f"--lang={locale}"],
                                                 env=env)
            try:
                page = browser.new_page(viewport={"width": WIDTH, "height": 900}, locale=locale)
                page.goto(f"{base}/login?lang={lang}")
                page.fill("input[name=email]", email)
                page.fill("input[name=password]", PASSWORD)
                page.locator("main form button[type=submit], main form .btn-primary").first.click()
                page.wait_for_url(lambda url: "/login" not in url)
                page.goto(f"{base}/leads/{lead_id}?lang={lang}")
                page.wait_for_load_state("networkidle")
                out.parent.mkdir(parents=True, exist_ok=True)
                full = page.evaluate("document.documentElement.scrollHeight")
                page.screenshot(path=str(out), full_page=True,
                                clip={"x": 0, "y": 0, "width": WIDTH, "height": min(full, height)})
            finally:
                browser.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)


if __name__ == "__main__":
    sys.exit(main())
