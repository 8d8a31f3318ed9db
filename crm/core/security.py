"""Security headers, session cookie settings, proxy trust, and the hooks of limits and request logs.

The Content-Security-Policy allows scripts and styles from our own origin only: no inline <script>, no
inline style="" attribute, no <style> element (HTMX is told not to inject its indicator styles; see
base.html). Front-end code lives in static/js/, styles in static/css/.
"""

import os

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # Bootstrap draws select arrows and toggler icons as data: SVGs
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def register(app: Flask) -> None:
    """Install the headers, trust the configured proxies, and turn on rate limits and request logs."""
    from crm.core import limits, request_log

    _trust_proxies(app)
    _check_cookie_settings(app)

    @app.after_request
    def _security_headers(response):
        for name, value in HEADERS.items():
            # setdefault: a view may be stricter (the enquiry status page sends no Referer at all).
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    limits.register(app)
    request_log.register(app)


def _trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies (TRUSTED_PROXIES=N), take the client address and scheme from X-Forwarded-*.

    Without this every client would share the proxy's address (one rate limit for the whole public)
    and HTTPS terminated at the proxy would look like plain HTTP (no HSTS, no secure redirects).
    Never set it without a proxy: clients could then forge their address.
    """
    hops = int(app.config.get("TRUSTED_PROXIES") or os.environ.get("CRM_TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def _check_cookie_settings(app: Flask) -> None:
    """Session and remember-me cookies: never readable by scripts, not sent on cross-site posts."""
    config = app.config
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["REMEMBER_COOKIE_HTTPONLY"] = True
    if config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if config.get("REMEMBER_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
