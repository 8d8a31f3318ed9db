"""Who may do what: decorators and load-and-check helpers for views."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def role_required(*roles: str):
    """Allow only signed-in users with one of `roles`; others get a 403 page, never a silent redirect."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


manager_required = role_required("manager", "admin")
admin_required = role_required("admin")
