"""Reservations past their end date: the site becomes available again, with a line in its history.

An expired reservation already counts as free when someone looks for a site, but until it is released the site
still reads "reserved" on its page, in the list and in the API. `flask --app wsgi crm release-reservations`
(daily, from cron) releases them all; `reserve_site` releases one itself when it takes an expired site over.

Each release is one conditional UPDATE that only matches a site still reserved for the same lead with the same,
passed, end date. Two machines running the command at once, or an officer reserving the site meanwhile, never
release a reservation twice or release a new one: only the caller whose UPDATE matched writes the history line.
The officer who made the reservation gets an in-app notice (kind reservation_expired) from the caller whose
UPDATE matched, so one notice whoever releases it.
"""

from datetime import date

from sqlalchemy import select, update

from crm.core.database import utcnow
from crm.extensions import db
from crm.notifications import services as notices
from crm.sites.models import Site, SiteEvent


def release_expired_reservation(site_id: int, lead_id: int, until: date, today: date,
                                reserved_by_id: int | None = None) -> bool:
    """Release one reservation for `lead_id` that ended on `until`, if it is still that one and `until` is before
    `today`; tell `reserved_by_id`, who made it. Returns whether this call released it. Flushes; the caller
    commits."""
    now = utcnow()
    result = db.session.execute(
        update(Site)
        .where(Site.id == site_id, Site.status == "reserved", Site.reserved_for_id == lead_id,
               Site.reserved_until == until, Site.reserved_until < today)
        .values(status="available", reserved_for_id=None, reserved_until=None, reserved_by_id=None,
                reserved_at=None, version=Site.version + 1, updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    # No user: the history shows "System", and the note "expired" is shown as "reservation expired".
    db.session.add(SiteEvent(site_id=site_id, kind="status", field="status", old_value="reserved",
                             new_value="available", lead_id=lead_id, note="expired", at=now))
    site = db.session.identity_map.get(db.session.identity_key(Site, site_id))
    if site is not None:
        db.session.expire(site)
    if reserved_by_id is not None:
        code = db.session.scalar(select(Site.code).where(Site.id == site_id))
        notices.notify_reservation_expired(reserved_by_id, lead_id, site_id=site_id, site_code=code)
    db.session.flush()
    return True


def release_expired_reservations(today: date) -> int:
    """Release every reservation that ended before `today`; returns how many this call released.

    Safe to run again, or on two machines at once: a reservation released (or renewed) by someone else since it
    was listed is left alone and not counted. The caller commits.
    """
    expired = db.session.execute(
        select(Site.id, Site.reserved_for_id, Site.reserved_until, Site.reserved_by_id)
        .where(Site.status == "reserved", Site.reserved_until < today)
        .order_by(Site.id)).all()  # one order for every caller, so two runs never wait on each other in a cycle
    return sum(release_expired_reservation(site_id, lead_id, until, today, by_id)
               for site_id, lead_id, until, by_id in expired)
