"""Admins manage users: add, change role, deactivate (which ends their sessions and tokens)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.admin import bp
from crm.admin.forms import RoleForm, UserForm
from crm.auth import services
from crm.auth.models import User
from crm.core.access import admin_required
from crm.extensions import db


@bp.get("/users")
@admin_required
def users():
    """Everyone who can sign in, and a form to add one."""
    return _render_users(UserForm())


def _render_users(form, status=200):
    people = db.session.scalars(select(User).order_by(User.active.desc(), User.name))
    return render_template("admin/users.html", users=list(people), form=form, role_form=RoleForm()), status


@bp.post("/users")
@admin_required
def create_user():
    """Add a user."""
    form = UserForm()
    if not form.validate_on_submit():
        return _render_users(form, 400)
    try:
        services.create_user(form.email.data, role=form.role.data, name=form.name.data,
                             password=form.password.data or None)
    except services.AccountError as err:
        db.session.rollback()
        form.email.errors.append(str(err))
        return _render_users(form, 400)
    db.session.commit()
    flash(_("User added."), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/role")
@admin_required
def change_role(user_id):
    """Give a user another role."""
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose a role."), "danger")
        return _render_users(UserForm(), 400)
    if user.id == current_user.id and form.role.data != "admin":
        flash(_("You cannot remove your own administrator role."), "danger")
        return _render_users(UserForm(), 400)
    user.role = form.role.data
    db.session.commit()
    flash(_("Role updated."), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/active/<int:active>")
@admin_required
def set_active(user_id, active):
    """Deactivate or reactivate a user."""
    user = db.get_or_404(User, user_id)
    try:
        services.set_active(user, bool(active), by=current_user)
    except services.AccountError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return _render_users(UserForm(), 400)
    db.session.commit()
    flash(_("User reactivated.") if active else _("User deactivated and signed out everywhere."), "success")
    return redirect(url_for("admin.users"))
