from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from crm.auth import bp, lockout, services
from crm.auth.forms import LoginForm
from crm.core.i18n import LOCALE_SESSION_KEY, normalise_locale
from crm.extensions import db, login_manager


@login_manager.user_loader
def load_user(session_id):
    """Resolve the session's user id; a rotated nonce signs the user out everywhere."""
    return services.load_session_user(session_id)


@login_manager.unauthorized_handler
def unauthorized():
    """Send people to the login page and back to where they were going."""
    flash(_("Please sign in to see this page."), "info")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("leads.my_day")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("leads.my_day"))
    form = LoginForm()
    if form.validate_on_submit():
        locked_for = lockout.seconds_locked(form.email.data)
        if locked_for:
            flash(lockout.locked_message(locked_for), "danger")
            return render_template("auth/login.html", form=form), 429
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            lockout.clear(form.email.data)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        locked_for = lockout.record_failure(form.email.data)
        if locked_for:
            flash(lockout.locked_message(locked_for), "danger")
            return render_template("auth/login.html", form=form), 429
        flash(_("Wrong email or password, or the account is inactive."), "danger")
        return render_template("auth/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out here and on every other device."""
    current_user.end_all_sessions()
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/language/<code>")
def set_language(code):
    """Remember the reader's language choice."""
    locale = normalise_locale(code)
    if locale in ("zh_CN", "en"):
        session[LOCALE_SESSION_KEY] = locale
    return redirect(_safe_next(request.args.get("next")))
