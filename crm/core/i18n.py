"""Language choice: the user's switch, then CRM_LOCALE, then the browser."""

from flask import current_app, has_request_context, request, session

LOCALE_SESSION_KEY = "locale"


def select_locale() -> str:
    """Pick the UI locale for this request."""
    languages = current_app.config["LANGUAGES"]
    configured = current_app.config.get("CRM_LOCALE")
    if not has_request_context():  # CLI commands, services called from tests
        return normalise_locale(configured) if configured else current_app.config["BABEL_DEFAULT_LOCALE"]
    forced = request.args.get("lang")
    if forced:
        forced = normalise_locale(forced)
        if forced in languages:
            return forced
    chosen = session.get(LOCALE_SESSION_KEY)
    if chosen in languages:
        return chosen
    if configured and normalise_locale(configured) in languages:
        return normalise_locale(configured)
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    if best and best.startswith("en"):
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def normalise_locale(value: str) -> str:
    """Map 'zh', 'zh-CN', 'zh_cn' to 'zh_CN' and 'en-US' to 'en'."""
    value = (value or "").replace("-", "_").strip()
    if value.lower().startswith("zh"):
        return "zh_CN"
    if value.lower().startswith("en"):
        return "en"
    return value
