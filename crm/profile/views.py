"""The profile page: what a user changes about themselves, and their API tokens."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from crm.extensions import db
from crm.profile import bp, services
from crm.profile.forms import PasswordForm, ProfileForm, TokenForm


def _render(*, status: int = 200, profile_form=None, password_form=None, token_form=None, new_token=None):
    profile_form = profile_form or ProfileForm(obj=current_user, formdata=None)
    return render_template("profile/index.html", profile_form=profile_form,
                           password_form=password_form or PasswordForm(formdata=None),
                           token_form=token_form or TokenForm(formdata=None),
                           tokens=services.live_tokens(current_user), new_token=new_token), status


@bp.get("")
@login_required
def index():
    """Name, language, duty, password and API tokens."""
    return _render()


@bp.post("")
@login_required
def update():
    """Save name, language and duty."""
    form = ProfileForm()
    if not form.validate_on_submit():
        return _render(status=400, profile_form=form)
    services.update_profile(current_user, name=form.name.data, locale=form.locale.data, is_duty=form.is_duty.data)
    db.session.commit()
    flash(_("Profile saved."), "success")
    return redirect(url_for("profile.index"))


@bp.post("/password")
@login_required
def change_password():
    """Change the password; other devices are signed out, this one stays signed in."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return _render(status=400, password_form=form)
    try:
        services.change_password(current_user, form.current_password.data, form.new_password.data)
    except services.ProfileError as err:
        db.session.rollback()
        getattr(form, err.field).errors.append(str(err))
        return _render(status=400, password_form=form)
    db.session.commit()
    login_user(current_user._get_current_object())  # the new session id after end_all_sessions()
    flash(_("Password changed. Your other devices have been signed out."), "success")
    return redirect(url_for("profile.index"))


@bp.post("/tokens")
@login_required
def create_token():
    """Make an API token and show it this once (never stored, never put in the session cookie)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _render(status=400, token_form=form)
    try:
        token = services.create_token(current_user, form.name.data)
    except services.ProfileError as err:
        db.session.rollback()
        form.name.errors.append(str(err))
        return _render(status=400, token_form=form)
    db.session.commit()
    response, status = _render(new_token=token)
    return response, 201, {"Cache-Control": "no-store"}


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    """Revoke one of the user's tokens: it stops working at once."""
    if services.revoke_token(current_user, token_id) is None:
        abort(404)
    db.session.commit()
    flash(_("Token revoked."), "success")
    return redirect(url_for("profile.index"))
