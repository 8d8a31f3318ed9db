"""In a real browser, end to end: an investor's Chinese enquiry becomes a signed lead with a brief.

1. An investor fills the Chinese enquiry form and gets the reference and the private status link.
2. An officer signs in, finds the enquiry on My day, claims it, logs a call and a visit, and moves it
   through contacted and site visit to negotiation on the lead page.
3. A manager drags it to Signed on the board; the gate asks for the missing figures in the card; the
   manager fills them and the card lands in Signed.
4. The manager downloads the lead brief: a PDF that names the company.

The app is served for real (werkzeug in a thread, on the test database); Debian's Chromium is driven
headless by Playwright. Every step leaves a screenshot in test-artifacts/e2e/.
"""

import io
import os
import re
import threading

import pytest
from sqlalchemy import select

from crm.extensions import db as _db
from crm.leads.models import Activity, Lead
from tests.factories import PASSWORD, make_user

CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")
COMPANY = "湖南星驰动力科技有限公司"
TIMEOUT = 10_000  # ms, for anything the server answers

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium is not installed at {CHROMIUM} "
                       "(Debian package `chromium`; `make system-deps` installs it, CI runs it)"),
]


@pytest.fixture
def live_server(app, db):
    """The test app served over HTTP from a thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def shots(artifacts):
    """shots("name") saves a screenshot of `page` as test-artifacts/e2e/NN-name.png, numbered in order."""
    folder = artifacts / "e2e"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    count = iter(range(1, 100))

    def shoot(page, name: str) -> None:
        page.screenshot(path=str(folder / f"{next(count):02d}-{name}.png"), full_page=True)

    shoot.folder = folder
    return shoot


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button.btn-primary").first.click()
    page.wait_for_url(lambda url: "/login" not in url, timeout=TIMEOUT)


def _lead() -> Lead:
    _db.session.expire_all()
    return _db.session.scalar(select(Lead).where(Lead.company_name == COMPANY))


def test_an_investors_enquiry_is_worked_and_signed(live_server, shots):
    from playwright.sync_api import expect, sync_playwright
    from pypdf import PdfReader

    officer = make_user("officer", name="李伟", email="li.wei@e2e.zone")
    manager = make_user("manager", name="王局长", email="wang.juzhang@e2e.zone")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        try:
            # 1. The investor, in Chinese.
            investor = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            page = investor.new_page()
            page.goto(f"{live_server}/enquiry")
            expect(page.locator("h1")).to_contain_text("投资咨询")
            expect(page.locator(".consent-notice")).to_contain_text("个人信息处理说明")
            page.select_option("select[name=need]", "land")
            page.fill("input[name=use]", "新能源汽车电机控制器生产基地")
            page.fill("input[name=expected_tax]", "1200")
            page.fill("input[name=company]", COMPANY)
            page.fill("input[name=contact_name]", "王建国")
            page.fill("input[name=mobile]", "138 0731 2345")
            page.fill("input[name=email]", "wang@xingchi-power.cn")
            page.fill("textarea[name=message]", "计划明年一季度开工，希望了解土地价格和配套政策。")
            page.check("input[name=consent]")
            shots(page, "investor-enquiry-form")
            page.locator("form.enquiry-form button.btn-primary").click()
            page.wait_for_url(re.compile(r"/enquiry/thanks"), timeout=TIMEOUT)
            reference = page.locator(".enquiry-reference").inner_text()
            assert re.fullmatch(r"ZS-\d{4}-\d{6}", reference)
            status_link = page.locator("a.status-link").get_attribute("href")
            assert "/enquiry/status/" in status_link
            shots(page, "investor-thanks")
            page.goto(status_link)
            expect(page.locator(".public-status")).to_be_visible()
            expect(page.locator("body")).to_contain_text(reference)
            shots(page, "investor-status")
            investor.close()

            lead = _lead()
            assert lead.reference == reference and lead.stage == "enquiry" and lead.owner_id is None
            assert lead.mobile == "+8613807312345" and lead.consent_version == "2026-11"

            # 2. The officer: My day, claim, a call, a visit, on to negotiation.
            office = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            page = office.new_page()
            _sign_in(page, live_server, officer.email)
            page.goto(f"{live_server}/leads/my-day")
            link = page.get_by_role("link", name=COMPANY)
            expect(link).to_be_visible()
            shots(page, "officer-my-day")
            link.click()
            page.wait_for_url(re.compile(rf"/leads/{lead.id}$"), timeout=TIMEOUT)
            page.locator(f"form[action='/leads/{lead.id}/claim'] button").click()
            expect(page.locator(".alert-success")).to_be_visible(timeout=TIMEOUT)
            expect(page.locator(".lead-mobile")).to_contain_text("138 0731 2345")  # the owner sees it all
            expect(page.locator(".lead-mobile a")).to_have_attribute("href", "tel:+8613807312345")
            shots(page, "officer-claimed")

            def log(kind: str, outcome: str) -> None:
                form = page.locator(f"form[action='/leads/{lead.id}/activities']")
                form.locator("select[name=kind]").select_option(kind)
                form.locator("textarea[name=outcome]").fill(outcome)
                form.locator("button.btn-primary").click()
                expect(page.locator(".timeline")).to_contain_text(outcome, timeout=TIMEOUT)

            def move(stage: str) -> None:
                form = page.locator(f"form[action='/leads/{lead.id}/stage']")
                form.locator("select[name=stage]").select_option(stage)
                form.locator("button.btn-primary").click()
                expect(page.locator(f".badge.fs-6.stage-{stage}")).to_be_visible(timeout=TIMEOUT)

            log("call", "电话联系王总，确认用地需求约60亩，下周来园区考察。")
            shots(page, "officer-call-logged")
            move("contacted")
            log("visit", "陪同王总实地考察天易科技城B3地块，对交通和配套满意。")
            move("site_visit")
            move("negotiation")
            shots(page, "officer-negotiation")
            office.close()

            lead = _lead()
            assert lead.stage == "negotiation" and lead.owner_id == officer.id
            kinds = set(_db.session.scalars(select(Activity.kind).where(Activity.lead_id == lead.id)))
            assert kinds == {"call", "visit"}

            # 3. The manager signs it on the board; the gate asks for the figures the enquiry left out.
            bureau = browser.new_context(locale="zh-CN", viewport={"width": 1600, "height": 1000})
            page = bureau.new_page()
            _sign_in(page, live_server, manager.email)
            page.goto(f"{live_server}/pipeline")
            card = page.locator(f".board-list[data-stage=negotiation] #card-{lead.id}")
            expect(card).to_be_visible(timeout=TIMEOUT)
            shots(page, "manager-board")
            card.drag_to(page.locator(".board-list[data-stage=signed]"))
            gate = page.locator(f"#card-{lead.id}.gate")
            expect(gate).to_be_visible(timeout=TIMEOUT)
            gate.locator("input[name=planned_investment_wan]").fill("50000")
            gate.locator("input[name=land_mu]").fill("60")
            expect(gate.locator("input[name=expected_tax_wan]")).to_have_count(0)  # the investor gave it
            shots(page, "manager-signing-gate")
            gate.locator("button.btn-primary").click()
            signed = page.locator(f".board-list[data-stage=signed] #card-{lead.id}:not(.gate)")
            expect(signed).to_have_attribute("data-stage", "signed", timeout=TIMEOUT)
            shots(page, "manager-signed")

            lead = _lead()
            assert lead.stage == "signed"
            assert lead.planned_investment_wan == 50000 and lead.land_mu == 60 and lead.expected_tax_wan == 1200

            # 4. The brief, from the lead page's download link.
            page.goto(f"{live_server}/leads/{lead.id}")
            shots(page, "manager-lead-page")
            href = page.locator("a[href$='/brief.pdf']").get_attribute("href")
            response = bureau.request.get(f"{live_server}{href}")
            assert response.ok and response.headers["content-type"] == "application/pdf"
            pdf = response.body()
            (shots.folder / "lead-brief.pdf").write_bytes(pdf)
            text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
            assert COMPANY in re.sub(r"\s+", "", text)
            assert reference in text
            bureau.close()
        finally:
            browser.close()
