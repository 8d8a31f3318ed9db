"""Security headers on every kind of response; HSTS only over HTTPS; cookie flags in production."""

import re
from pathlib import Path

import pytest

from config import ProductionConfig
from crm import create_app
from tests.factories import make_lead, make_user
from tests.security.helpers import DeviceClient, build_app, device, sign_in

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _assert_security_headers(response):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip())
    assert directives.get("script-src") == "'self'", csp
    assert directives.get("style-src") == "'self'", csp
    assert directives.get("object-src") == "'none'", csp
    assert directives.get("base-uri") == "'self'", csp
    assert directives.get("form-action") == "'self'", csp
    assert directives.get("frame-ancestors") == "'none'", csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", response.headers.get("X-Request-Id", ""))


@pytest.mark.parametrize("path, status", [
    ("/login", 200), ("/enquiry", 200), ("/healthz", 200), ("/no-such-page", 404),
    ("/api/v1/leads", 401), ("/static/css/app.css", 200), ("/leads", 302),
])
def test_every_response_carries_the_security_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    _assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers


def test_signed_in_pages_carry_the_headers(app, db):
    officer = make_user("officer")
    lead = make_lead(owner=officer)
    browser = device(app)
    sign_in(browser, officer)
    for path in ("/leads", f"/leads/{lead.id}", f"/leads/{lead.id}/edit", "/leads/new", "/leads/my-day"):
        response = browser.get(path)
        assert response.status_code == 200, path
        _assert_security_headers(response)


def test_a_rejected_form_carries_the_headers_too(client):
    response = client.post("/login", data={"email": "x@y.z", "password": "p"}, csrf=False)
    assert response.status_code == 400
    _assert_security_headers(response)


def test_hsts_only_over_https(client):
    secure = client.get("/login", base_url="https://crm.zone.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_the_status_page_keeps_its_stricter_referrer_policy(client):
    """A view's own header wins over the default: the private status link must not leak as a Referer."""
    from crm.extensions import db

    lead = make_lead()
    db.session.commit()
    response = client.get(f"/enquiry/status/{lead.status_token}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_behind_a_trusted_proxy_the_forwarded_scheme_turns_hsts_on(database_url, app):
    proxied = build_app(database_url, TRUSTED_PROXIES=1)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert "Strict-Transport-Security" in proxied.test_client().get("/login", headers=headers).headers
    # Without a configured proxy, a client cannot claim to be on HTTPS.
    assert "Strict-Transport-Security" not in app.test_client().get("/login", headers=headers).headers


def test_production_cookies_are_secure_httponly_and_lax(database_url, db):
    class Production(ProductionConfig):
        TESTING = True
        SECRET_KEY = "production-cookie-test"
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_ENABLED = False

    production = create_app(Production)
    production.test_client_class = DeviceClient
    user = make_user("officer")
    browser = production.test_client()
    page = browser.get("/login", base_url="https://crm.zone.example")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = browser.post("/login", base_url="https://crm.zone.example", data={
        "email": user.email, "password": "pass-1234", "remember": "y", "csrf_token": token},
        headers={"Referer": "https://crm.zone.example/login"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        cookie = next(c for c in cookies if c.startswith(name))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


EVENT_HANDLER = re.compile(
    r"""\son(?:click|dblclick|change|input|submit|reset|load|unload|beforeunload|error|focus|blur|select|"""
    r"""key(?:up|down|press)|mouse\w+|pointer\w+|touch\w+|drag\w*|drop|wheel|scroll|resize|toggle|invalid|"""
    r"""paste|copy|cut|animation\w+|transition\w+)\s*=\s*["']""", re.I)

# Templates that become PDFs (WeasyPrint), never pages a browser loads under the CSP.
PDF_ONLY = ("briefs/",)


def _page_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        rel = path.relative_to(TEMPLATES).as_posix()
        if not rel.startswith(PDF_ONLY):
            yield rel, path.read_text(encoding="utf-8")


INLINE_CODE = (
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"""\sstyle\s*=\s*["']""", re.I), "style=\"\" attribute"),
    (EVENT_HANDLER, "inline event handler"),
    (re.compile(r"\shx-on[:-]", re.I), "hx-on attribute (evaluated as script; blocked by the CSP)"),
    (re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I), "javascript: URL"),
    (re.compile(r"""(?:\ssrc|<link\b[^>]*\shref)\s*=\s*["']\s*(?:https?:)?//""", re.I),
     "script, style or image from another origin (no CDN)"),
)


def test_no_template_has_inline_script_style_or_event_handlers():
    """The CSP blocks them in the browser; catching them here names the file and line to fix."""
    problems = []
    for rel, text in _page_templates():
        for pattern, what in INLINE_CODE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{rel}:{line}: {what}: {match.group(0).strip()}")
    assert not problems, "move these to static/js or static/css:\n" + "\n".join(problems)
