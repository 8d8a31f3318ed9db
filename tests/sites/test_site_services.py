"""Site services: create, edit with optimistic versions, status changes audited, reserve and release."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from crm.sites import services
from crm.sites.models import Site, SiteEvent
from tests.factories import make_lead, make_user
from tests.projects.kit import make_site

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context("/?lang=en"):
        yield


def test_a_manager_creates_a_site_and_it_is_audited(db):
    manager = make_user("manager")
    site = services.create_site({"code": "TY-A1", "kind": "standard_factory", "park": "天易科技城",
                                 "area_m2": Decimal("2400")}, by=manager)
    db.session.commit()
    assert site.status == "available" and site.version == 1
    event = db.session.query(SiteEvent).filter_by(site_id=site.id).one()
    assert (event.kind, event.new_value, event.user_id) == ("created", "available", manager.id)


@pytest.mark.parametrize("values,field", [
    ({"code": "X", "kind": "land_plot", "park": "北部园区"}, "land_mu"),
    ({"code": "X", "kind": "office", "park": "北部园区"}, "area_m2"),
    ({"code": "X", "kind": "villa", "park": "北部园区", "area_m2": 1}, "kind"),
    ({"code": "", "kind": "office", "park": "北部园区", "area_m2": 1}, "code"),
])
def test_a_site_needs_its_size_in_the_right_unit(db, values, field):
    with pytest.raises(services.SiteError) as err:
        services.create_site(values, by=make_user("manager"))
    assert err.value.field == field


def test_officers_cannot_change_the_inventory(db):
    with pytest.raises(services.SiteError):
        services.create_site({"code": "X", "kind": "office", "park": "北部园区", "area_m2": 1},
                             by=make_user("officer"))


def test_codes_are_unique(db):
    make_site(code="DUP-1")
    with pytest.raises(services.SiteError) as err:
        services.create_site({"code": "DUP-1", "kind": "office", "park": "北部园区", "area_m2": 1},
                             by=make_user("manager"))
    assert err.value.field == "code"


def test_edit_audits_each_field_and_a_stale_version_changes_nothing(db):
    manager = make_user("manager")
    site = make_site(area_m2=Decimal("2000"))
    changed = services.update_site(site, {"area_m2": Decimal("2100"), "power_kva": 630, "name": site.name},
                                   by=manager, expected_version=1)
    db.session.commit()
    assert sorted(changed) == ["area_m2", "power_kva"] and site.version == 2
    fields = {e.field for e in site.events if e.kind == "field"}
    assert fields == {"area_m2", "power_kva"}
    with pytest.raises(services.SiteVersionConflict):
        services.update_site(site, {"power_kva": 800}, by=manager, expected_version=1)
    db.session.rollback()
    assert db.session.get(Site, site.id).power_kva == 630


def test_reserving_takes_an_available_site_once(db):
    officer = make_user("officer")
    lead = make_lead(owner=officer, stage="negotiation")
    other = make_lead(owner=officer, stage="negotiation")
    site = make_site()
    services.reserve_site(site.id, lead, by=officer, until=TODAY + timedelta(days=10), today=TODAY)
    db.session.commit()
    site = db.session.get(Site, site.id)
    assert (site.status, site.reserved_for_id, site.reserved_until) == ("reserved", lead.id, TODAY + timedelta(10))
    with pytest.raises(services.ReservationRefused):
        services.reserve_site(site.id, other, by=officer, until=TODAY + timedelta(days=5), today=TODAY)
    db.session.rollback()
    assert db.session.get(Site, site.id).reserved_for_id == lead.id
    statuses = [(e.old_value, e.new_value, e.lead_id) for e in db.session.query(SiteEvent)
                .filter_by(site_id=site.id, kind="status")]
    assert statuses == [("available", "reserved", lead.id)]


def test_an_expired_reservation_can_be_taken_over(db):
    officer = make_user("officer")
    first, second = (make_lead(owner=officer, stage="site_visit") for _ in range(2))
    site = make_site()
    services.reserve_site(site.id, first, by=officer, until=TODAY, today=TODAY)
    db.session.commit()
    later = TODAY + timedelta(days=1)
    services.reserve_site(site.id, second, by=officer, until=later + timedelta(days=7), today=later)
    db.session.commit()
    assert db.session.get(Site, site.id).reserved_for_id == second.id
    notes = [e.note for e in db.session.query(SiteEvent).filter_by(site_id=site.id, lead_id=first.id)]
    assert "expired" in notes


@pytest.mark.parametrize("until,stage,message", [
    (TODAY - timedelta(days=1), "negotiation", "today or later"),
    (TODAY + timedelta(days=400), "negotiation", "at most"),
    (TODAY + timedelta(days=5), "signed", "open lead"),
])
def test_reservation_rules(db, until, stage, message):
    officer = make_user("officer")
    lead = make_lead(owner=officer, stage=stage)
    with pytest.raises(services.SiteError, match=message):
        services.reserve_site(make_site().id, lead, by=officer, until=until, today=TODAY)


def test_an_officer_cannot_reserve_for_a_colleagues_lead(db):
    lead = make_lead(owner=make_user("officer"), stage="negotiation")
    with pytest.raises(services.SiteError):
        services.reserve_site(make_site().id, lead, by=make_user("officer"), until=TODAY, today=TODAY)


def test_release_and_manual_status_are_audited(db):
    officer, manager = make_user("officer"), make_user("manager")
    lead = make_lead(owner=officer, stage="negotiation")
    site = make_site()
    services.reserve_site(site.id, lead, by=officer, until=TODAY + timedelta(days=3), today=TODAY)
    services.release_site(db.session.get(Site, site.id), by=officer, note="客户改选")
    db.session.commit()
    site = db.session.get(Site, site.id)
    assert site.status == "available" and site.reserved_for_id is None
    services.set_status(site, "let", by=manager, note="线下出租")
    db.session.commit()
    history = [(e.old_value, e.new_value) for e in db.session.query(SiteEvent)
               .filter_by(site_id=site.id, kind="status").order_by(SiteEvent.id)]
    assert history == [("available", "reserved"), ("reserved", "available"), ("available", "let")]
    with pytest.raises(services.SiteError):
        services.set_status(db.session.get(Site, site.id), "reserved", by=manager)


def test_the_database_refuses_a_reservation_without_a_lead(db):
    """The CHECK constraints hold even if code forgets the rules."""
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    site = make_site()
    with pytest.raises(IntegrityError):
        db.session.execute(update(Site).where(Site.id == site.id).values(status="reserved"))
        db.session.flush()
    db.session.rollback()
