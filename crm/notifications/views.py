"""The bell: a user's notices about collisions, assignments and new enquiries."""

import json

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from crm.extensions import db
from crm.notifications import bp, queries, services


@bp.get("")
@login_required
def index():
    """Latest notices, unread first highlighted."""
    notices = queries.recent_for(current_user)
    return render_template("notifications/index.html", notices=notices,
                           payloads={n.id: json.loads(n.payload or "{}") for n in notices})


@bp.post("/read")
@login_required
def mark_all_read():
    """Mark every notice read."""
    services.mark_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"))
