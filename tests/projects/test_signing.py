"""Signing a lead creates its project in the same transaction; if any part fails nothing changes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.core.formatting import local_today
from crm.extensions import db
from crm.leads import services as leads
from crm.leads.models import Lead
from crm.projects import services as projects
from crm.projects.models import Milestone, Project, ProjectEvent
from crm.sites import services as sites
from crm.sites.models import Site, SiteEvent
from tests.factories import make_user
from tests.projects.kit import credit_code, make_site, negotiating_lead


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context("/?lang=en"):
        yield


def _reserve(lead, *sites_, by):
    for site in sites_:
        sites.reserve_site(site.id, lead, by=by, until=local_today() + timedelta(days=10), today=local_today())
    db.session.commit()


def _project_count() -> int:
    return db.session.scalar(select(func.count(Project.id)))


def test_signing_creates_the_project_with_the_leads_figures(db):
    officer = make_user("officer")
    lead = negotiating_lead(owner=officer, kind="land", credit_code=credit_code(7), jobs=120,
                            expected_output_wan=Decimal("80000"), intended_use="轨道交通装备制造")
    lead.sponsoring_leader, lead.is_key = "刘副区长", True
    db.session.commit()
    plot, factory = make_site(kind="land_plot"), make_site(kind="standard_factory")
    _reserve(lead, plot, factory, by=officer)

    leads.move_lead(lead, "signed", by=officer)
    db.session.commit()

    project = db.session.scalar(select(Project).where(Project.lead_id == lead.id))
    assert project.code == f"XM-{project.created_at.year}-{project.id:05d}"
    assert (project.name, project.company_name, project.credit_code) == (lead.company_name, lead.company_name,
                                                                         credit_code(7))
    assert (project.investment_wan, project.land_mu, project.promised_tax_wan) == (
        Decimal("50000"), Decimal("80"), Decimal("3000"))
    assert (project.jobs, project.expected_output_wan, project.owner_id) == (120, Decimal("80000"), officer.id)
    assert (project.is_key, project.sponsoring_leader, project.phase) == (True, "刘副区长", "signed")
    signed = project.milestone("signed")
    assert signed.actual_on == signed.planned_on == local_today()
    assert [m.kind for m in project.milestones] == [
        "signed", "land_handover", "construction_start", "completion", "production"]
    assert all(m.planned_on > local_today() for m in project.milestones[1:])
    # Land is sold, buildings are let, both now belong to the project.
    assert (db.session.get(Site, plot.id).status, db.session.get(Site, factory.id).status) == ("sold", "let")
    assert {s.id for s in project.sites} == {plot.id, factory.id}
    assert db.session.get(Site, plot.id).reserved_for_id is None
    site_events = db.session.scalars(select(SiteEvent.new_value).where(
        SiteEvent.lead_id == lead.id, SiteEvent.old_value == "reserved")).all()
    assert sorted(site_events) == ["let", "sold"]
    kinds = db.session.scalars(select(ProjectEvent.kind).where(ProjectEvent.project_id == project.id)).all()
    assert sorted(kinds) == ["created", "site", "site"]


def test_a_rented_factory_project_plans_move_in_and_production_only(db):
    officer = make_user("officer")
    lead = negotiating_lead(owner=officer, kind="factory_rental", land_mu=None, floor_area_m2=Decimal("3000"))
    leads.move_lead(lead, "signed", by=officer)
    db.session.commit()
    project = db.session.scalar(select(Project).where(Project.lead_id == lead.id))
    assert [m.kind for m in project.milestones] == ["signed", "production"]


def test_sites_reserved_for_another_lead_are_not_touched(db):
    officer = make_user("officer")
    lead, other = negotiating_lead(owner=officer), negotiating_lead(owner=officer)
    theirs = make_site()
    _reserve(other, theirs, by=officer)
    leads.move_lead(lead, "signed", by=officer)
    db.session.commit()
    site = db.session.get(Site, theirs.id)
    assert (site.status, site.reserved_for_id, site.project_id) == ("reserved", other.id, None)


@pytest.mark.parametrize("target", ["crm.sites.services.mark_site_taken",
                                    "crm.projects.services.link_tax_records",
                                    "crm.projects.services.add_default_milestones"])
def test_a_failure_mid_way_changes_nothing(db, monkeypatch, target):
    officer = make_user("officer")
    lead = negotiating_lead(owner=officer)
    first, second = make_site(kind="land_plot"), make_site()
    _reserve(lead, first, second, by=officer)
    lead_id, version = lead.id, lead.version
    calls = []

    def explode(*args, **kwargs):
        calls.append(1)
        if target.endswith("mark_site_taken") and len(calls) == 1:
            # Let the first site go through so the failure really is half-way.
            return original(*args, **kwargs)
        raise RuntimeError("forced failure")

    module_path, name = target.rsplit(".", 1)
    module = __import__(module_path, fromlist=[name])
    original = getattr(module, name)
    monkeypatch.setattr(module, name, explode)

    with pytest.raises(RuntimeError, match="forced failure"):
        leads.move_lead(lead, "signed", by=officer)
    db.session.rollback()

    db.session.expire_all()
    lead = db.session.get(Lead, lead_id)
    assert (lead.stage, lead.version) == ("negotiation", version)
    assert _project_count() == 0
    assert db.session.scalar(select(func.count(Milestone.id))) == 0
    for site in (first, second):
        site = db.session.get(Site, site.id)
        assert (site.status, site.reserved_for_id, site.project_id) == ("reserved", lead_id, None)
    assert db.session.scalar(select(func.count(SiteEvent.id)).where(SiteEvent.new_value.in_(("let", "sold")))) == 0


def test_signing_through_the_page_rolls_back_on_failure(db, client, login, monkeypatch):
    officer = login(make_user("officer"))
    lead = negotiating_lead(owner=officer)
    site = make_site(kind="land_plot")
    _reserve(lead, site, by=officer)

    def explode(*args, **kwargs):
        raise RuntimeError("forced failure")

    monkeypatch.setattr(projects, "link_tax_records", explode)
    response = client.post(f"/leads/{lead.id}/stage", data={"stage": "signed"})
    assert response.status_code == 500
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).stage == "negotiation"
    assert _project_count() == 0
    assert db.session.get(Site, site.id).status == "reserved"

    monkeypatch.undo()
    response = client.post(f"/leads/{lead.id}/stage", data={"stage": "signed"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).stage == "signed"
    project = db.session.scalar(select(Project).where(Project.lead_id == lead.id))
    assert project is not None and db.session.get(Site, site.id).status == "sold"
    fragment = client.get(f"/sites/matches/{lead.id}").get_data(as_text=True)
    assert project.code in fragment and site.code in fragment


def test_tax_already_imported_for_the_credit_code_is_linked_on_signing(db):
    from crm.tax.models import TaxRecord

    officer = make_user("officer")
    code = credit_code(99)
    lead = negotiating_lead(owner=officer, credit_code=code)
    db.session.add(TaxRecord(taxpayer_key=code, credit_code=code, company_name="某公司", company_key="某",
                             period="2025Q1", year=2025, quarter=1, kind="total", amount_wan=Decimal("12")))
    db.session.commit()
    leads.move_lead(lead, "signed", by=officer)
    db.session.commit()
    project = db.session.scalar(select(Project).where(Project.lead_id == lead.id))
    assert db.session.scalar(select(TaxRecord.project_id)) == project.id


def test_add_months_clamps_to_the_month_end():
    assert projects.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert projects.add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
