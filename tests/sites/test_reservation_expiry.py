"""Releasing reservations whose end date has passed: the service, the cron command, and two runs at once."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crm.core.formatting import local_today
from crm.extensions import db as _db
from crm.sites import services
from crm.sites.expiry import release_expired_reservation, release_expired_reservations
from crm.sites.models import Site, SiteEvent
from tests.factories import make_lead, make_user
from tests.projects.kit import make_site

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context("/?lang=en"):
        yield


def _reserved_until(until: date, officer=None, lead=None) -> tuple[Site, int]:
    """A site reserved (on an earlier day, as it really happens) until `until`; returns it and the lead id."""
    officer = officer or make_user("officer")
    lead = lead or make_lead(owner=officer, stage="negotiation")
    site = make_site()
    services.reserve_site(site.id, lead, by=officer, until=until, today=until - timedelta(days=5))
    _db.session.commit()
    return site, lead.id


def _expiry_events(site_id: int) -> list[tuple]:
    return [(e.old_value, e.new_value, e.lead_id, e.user_id) for e in _db.session.scalars(
        select(SiteEvent).where(SiteEvent.site_id == site_id, SiteEvent.note == "expired").order_by(SiteEvent.id))]


def test_expired_reservations_are_released_and_audited(db):
    expired, expired_lead = _reserved_until(TODAY - timedelta(days=1))
    ends_today, _lead = _reserved_until(TODAY)
    later, _lead = _reserved_until(TODAY + timedelta(days=10))
    let = make_site(status="let")

    assert release_expired_reservations(TODAY) == 1
    db.session.commit()

    site = db.session.get(Site, expired.id)
    assert (site.status, site.reserved_for_id, site.reserved_until, site.reserved_by_id) == (
        "available", None, None, None)
    assert site.version == 3  # created, reserved, released: an editor holding version 2 gets a conflict
    assert _expiry_events(expired.id) == [("reserved", "available", expired_lead, None)]
    assert db.session.get(Site, ends_today.id).status == "reserved"  # the end date is the last reserved day
    assert db.session.get(Site, later.id).status == "reserved"
    assert db.session.get(Site, let.id).status == "let"


def test_running_again_changes_nothing(db, unchanged):
    first, _lead = _reserved_until(TODAY - timedelta(days=3))
    second, _lead = _reserved_until(TODAY - timedelta(days=30))
    assert release_expired_reservations(TODAY) == 2
    db.session.commit()
    with unchanged():
        assert release_expired_reservations(TODAY) == 0
        db.session.commit()
    assert len(_expiry_events(first.id)) == len(_expiry_events(second.id)) == 1


def test_a_reservation_renewed_since_it_was_listed_is_left_alone(db):
    """The UPDATE matches the reservation that was listed (lead and end date), not just any reserved site."""
    officer = make_user("officer")
    site, lead_id = _reserved_until(TODAY - timedelta(days=1), officer=officer)
    stale_until = TODAY - timedelta(days=1)
    lead = make_lead(owner=officer, stage="negotiation")
    services.reserve_site(site.id, lead, by=officer, until=TODAY + timedelta(days=7), today=TODAY)
    db.session.commit()

    assert release_expired_reservation(site.id, lead_id, stale_until, TODAY) is False
    assert release_expired_reservation(site.id, lead.id, stale_until, TODAY) is False
    db.session.commit()
    stored = db.session.get(Site, site.id)
    assert (stored.status, stored.reserved_for_id) == ("reserved", lead.id)
    assert len(_expiry_events(site.id)) == 1  # the takeover's own release, nothing more


def test_taking_over_an_expired_site_writes_one_expiry_line(db):
    """Whether the nightly command or the new reservation releases it, the history says so once."""
    officer = make_user("officer")
    released_by_command, _lead = _reserved_until(TODAY - timedelta(days=2), officer=officer)
    assert release_expired_reservations(TODAY) == 1
    db.session.commit()
    released_on_takeover, _lead = _reserved_until(TODAY - timedelta(days=2), officer=officer)
    taker = make_lead(owner=officer, stage="site_visit")
    for site in (released_by_command, released_on_takeover):
        services.reserve_site(site.id, taker, by=officer, until=TODAY + timedelta(days=5), today=TODAY)
    db.session.commit()

    for site in (released_by_command, released_on_takeover):
        history = [(e.old_value, e.new_value, e.note) for e in db.session.scalars(
            select(SiteEvent).where(SiteEvent.site_id == site.id, SiteEvent.kind == "status")
            .order_by(SiteEvent.id))]
        assert history == [("available", "reserved", f"until {(TODAY - timedelta(days=2)).isoformat()}"),
                           ("reserved", "available", "expired"),
                           ("available", "reserved", f"until {(TODAY + timedelta(days=5)).isoformat()}")]
        assert db.session.get(Site, site.id).reserved_for_id == taker.id


def test_the_cron_command_prints_how_many_it_released(app, db):
    today = local_today()
    site, _lead = _reserved_until(today - timedelta(days=1))
    current, _lead = _reserved_until(today + timedelta(days=1))
    runner = app.test_cli_runner()

    result = runner.invoke(args=["crm", "release-reservations"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Released 1 expired site reservation(s)."
    db.session.expire_all()
    assert db.session.get(Site, site.id).status == "available"
    assert db.session.get(Site, current.id).status == "reserved"

    again = runner.invoke(args=["crm", "release-reservations"])
    assert again.output.strip() == "Released 0 expired site reservation(s)."


@pytest.mark.slow
def test_two_machines_running_it_at_once_release_each_reservation_once(app, db):
    """Run A releases and holds its transaction open; run B, started meanwhile, waits and then releases nothing."""
    sites = [_reserved_until(TODAY - timedelta(days=n))[0].id for n in (1, 2, 3)]
    counts: dict[str, int] = {}
    a_released = threading.Event()
    finish_a = threading.Event()

    def run(name: str, hold: bool):
        # Each thread pushes its own app context, so Flask-SQLAlchemy gives it its own session/connection.
        with app.app_context():
            try:
                counts[name] = release_expired_reservations(TODAY)
                if hold:
                    a_released.set()
                    finish_a.wait(timeout=10)
                _db.session.commit()
            finally:
                _db.session.remove()

    thread_a = threading.Thread(target=run, args=("a", True))
    thread_a.start()
    assert a_released.wait(timeout=10)
    thread_b = threading.Thread(target=run, args=("b", False))
    thread_b.start()
    thread_b.join(timeout=0.5)
    assert thread_b.is_alive(), "B must wait for A's uncommitted release, not decide on stale data"
    finish_a.set()
    thread_a.join(timeout=20)
    thread_b.join(timeout=20)

    assert counts == {"a": 3, "b": 0}
    db.session.expire_all()
    assert {db.session.get(Site, site_id).status for site_id in sites} == {"available"}
    assert db.session.scalar(select(func.count(SiteEvent.id)).where(
        SiteEvent.site_id.in_(sites), SiteEvent.note == "expired")) == 3


# --- the reserving officer hears of it -----------------------------------------------------------------------

def _notices(user_id: int) -> list[tuple]:
    from crm.notifications.models import Notification

    return [(n.kind, n.lead_id) for n in _db.session.scalars(
        select(Notification).where(Notification.user_id == user_id, Notification.kind == "reservation_expired"))]


def test_the_officer_who_reserved_the_site_is_told_once(db, client, login):
    officer = make_user("officer")
    site, lead_id = _reserved_until(TODAY - timedelta(days=2), officer=officer)
    assert release_expired_reservations(TODAY) == 1
    assert release_expired_reservations(TODAY) == 0
    db.session.commit()
    assert _notices(officer.id) == [("reservation_expired", lead_id)]

    login(officer)
    html = client.get("/notifications?lang=en").get_data(as_text=True)
    assert f"Your reservation of site {site.code}" in html and f'href="/sites/{site.id}"' in html
    assert "预留的房源" in client.get("/notifications?lang=zh_CN").get_data(as_text=True)


def test_a_takeover_of_an_expired_site_tells_the_first_officer(db):
    first, other = make_user("officer"), make_user("officer")
    site, lead_id = _reserved_until(TODAY - timedelta(days=1), officer=first)
    services.reserve_site(site.id, make_lead(owner=other, stage="negotiation"), by=other,
                          until=TODAY + timedelta(days=7), today=TODAY)
    db.session.commit()
    assert _notices(first.id) == [("reservation_expired", lead_id)]
    assert _notices(other.id) == []
