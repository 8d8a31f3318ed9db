"""Writes for the dashboard feature: only the annual targets change here."""

from flask_babel import lazy_gettext as _l

from crm.auth.models import User
from crm.core.database import utcnow
from crm.dashboard.models import TARGET_FIELDS, Target
from crm.dashboard.targets import target_for
from crm.extensions import db


class TargetPermissionError(Exception):
    """Only managers and admins set the zone's targets."""


def save_target(year: int, values: dict, *, by: User) -> Target:
    """Create or update the targets of `year`; figures left out or None stay unset. The caller commits."""
    if not by.is_manager:
        raise TargetPermissionError(_l("Only a manager can set targets."))
    target = target_for(year)
    if target is None:
        target = Target(year=year)
        db.session.add(target)
    for name in TARGET_FIELDS:
        if name in values:
            setattr(target, name, values[name])
    target.updated_by_id = by.id
    target.updated_at = utcnow()
    db.session.flush()
    return target
