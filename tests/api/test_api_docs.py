"""/api/docs renders the OpenAPI document with the vendored Swagger UI, under the app's CSP."""

import pytest

from tests.security.test_csp_browser import RECORD_VIOLATIONS, browser, live_server  # noqa: F401 (fixtures)


def test_the_docs_page_uses_only_our_own_assets(client):
    response = client.get("/api/docs")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html and "/static/js/api_docs.js" in html
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    assert "<script>" not in html and "style=" not in html and "//cdn" not in html and "unpkg" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["vendor/swagger-ui/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui.css",
                                  "vendor/swagger-ui/LICENSE", "js/api_docs.js"])
def test_the_vendored_files_are_served(client, path):
    response = client.get(f"/static/{path}")
    assert response.status_code == 200 and len(response.get_data()) > 500
    response.close()


@pytest.mark.slow
def test_swagger_ui_renders_every_operation_without_csp_violations(live_server, browser):  # noqa: F811
    context = browser.new_context(locale="en-US")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if (
        "Content Security Policy" in m.text or "Refused to" in m.text) else None)
    page.on("pageerror", lambda err: problems.append(f"script error: {err}"))
    page.goto(live_server + "/api/docs", wait_until="networkidle")
    page.wait_for_selector(".opblock", timeout=15000)
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    problems += page.evaluate("window.__csp || []")
    context.close()
    assert not problems, "\n".join(problems)
    assert {"/leads", "/projects", "/sites", "/leads/{lead_id}/stage", "/imports"} <= {
        s.replace("\u200b", "").strip() for s in summaries}
