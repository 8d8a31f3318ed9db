"""In a real Chromium: the pages load under the Content-Security-Policy without a single violation."""

import os
import threading

import pytest
from werkzeug.serving import make_server

from tests.factories import make_lead, make_user

CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")

# Records every violation the page reports, including ones Chromium does not print to the console.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def live_server(app, db):
    """The app on a real port, served from a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (`make system-deps` installs it; "
                    "CRM_CHROMIUM points elsewhere)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        yield chromium
        chromium.close()


def _visit(page, url: str, console: list[str]) -> list[str]:
    """Open `url`, let HTMX finish, and return the CSP violations it caused."""
    console.clear()
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status < 400, f"{url}: {response and response.status}"
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__csp || []")
    return [f"{url}: {v}" for v in violations] + [f"{url}: console: {m}" for m in console]


@pytest.mark.slow
def test_pages_run_under_the_csp_without_violations(live_server, browser, artifacts):
    manager = make_user("manager")
    officer = make_user("officer")
    lead = make_lead(by=officer, owner=officer)
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if (
        "Content Security Policy" in m.text or "Refused to" in m.text) else None)
    page.on("pageerror", lambda err: console.append(f"script error: {err}"))

    problems = []
    for path in ("/login", "/enquiry"):
        problems += _visit(page, live_server + path, console)

    page.goto(live_server + "/login")
    page.fill("input[name=email]", manager.email)
    page.fill("input[name=password]", "pass-1234")
    page.click("form button.btn-primary")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, "signing in through the real form failed"

    signed_in = ["/leads", f"/leads/{lead.id}", "/leads/my-day", "/notifications", "/pipeline", "/dashboard",
                 "/targets", "/projects", "/sites"]
    for path in signed_in:
        problems += _visit(page, live_server + path, console)
    htmx_styles = page.evaluate("window.htmx && htmx.config.includeIndicatorStyles")
    page.screenshot(path=str(artifacts / "csp-last-page.png"), full_page=True)
    context.close()
    assert not problems, "CSP violations (move inline code to static/js, inline styles to static/css):\n" + \
        "\n".join(problems)
    assert htmx_styles is False, "base.html must keep HTMX from injecting its inline indicator <style>"
