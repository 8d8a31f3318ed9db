"""The 300-lead demo zone that `make run` loads: who is in it, and whether its leads read like real work.

The zone is seeded once for this module (through the CLI, as `make run` does) and only read by the tests.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.auth import services as accounts
from crm.auth.models import User
from crm.core.vocabulary import LEAD_KINDS, LEAD_SOURCES, STAGES
from crm.demo import seed
from crm.demo.seed import PASSWORD
from crm.extensions import db
from crm.leads.models import Activity, Industry, Lead
from tests.conftest import _empty_all_tables
from tests.demo import checks


@pytest.fixture(scope="module")
def zone(app):
    """The demo zone as `crm seed-demo` makes it, with the command's output."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["crm", "seed-demo"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        yield result.output
        db.session.remove()
        _empty_all_tables()


@pytest.fixture
def leads(zone, app):
    with app.app_context():
        yield checks.leads()
        db.session.rollback()


def test_output_summarises_the_zone(zone):
    assert "300 leads" in zone
    assert "manager@demo.zone" in zone


def test_users_one_manager_three_officers_one_admin(zone, app):
    with app.app_context():
        roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
        assert roles == {"manager": 1, "officer": 3, "admin": 1}
        names = {user.email: user.name for user in db.session.scalars(select(User))}
        assert names == {"manager@demo.zone": "王局长", "li.wei@demo.zone": "李伟", "zhang.min@demo.zone": "张敏",
                         "chen.jing@demo.zone": "陈静", "admin@demo.zone": "系统管理员"}
        assert accounts.authenticate("li.wei@demo.zone", PASSWORD) is not None
        db.session.rollback()


def test_the_zones_industry_chains(zone, app):
    with app.app_context():
        codes = set(db.session.scalars(select(Industry.code)))
        assert codes == {"rail", "aero", "nev", "nextgen_it", "new_materials", "green_equipment", "agriculture",
                         "biomed"}
        assert db.session.get(Industry, "rail").name_zh == "轨道交通装备"


def test_leads_cover_every_kind_source_and_stage(leads):
    assert len(leads) == 300
    assert {lead.kind for lead in leads} == set(LEAD_KINDS)
    assert {lead.source for lead in leads} == set(LEAD_SOURCES)
    assert {lead.stage for lead in leads} == set(STAGES)


def test_the_pipeline_is_funnel_shaped(leads):
    count = {stage: sum(lead.stage == stage for lead in leads) for stage in STAGES}
    assert count["enquiry"] > count["contacted"] > count["site_visit"] > count["negotiation"] > count["signed"]
    assert count["signed"] >= 10 and count["lost"] >= 20 and count["on_hold"] >= 5


def test_work_is_spread_over_the_officers(leads, app):
    with app.app_context():
        officers = set(db.session.scalars(select(User.id).where(User.role == "officer")))
    owned = [lead.owner_id for lead in leads if lead.owner_id]
    assert {owner for owner in owned} == officers
    assert min(owned.count(officer) for officer in officers) > 50
    assert any(lead.owner_id is None and lead.stage == "enquiry" for lead in leads)  # for "my day"


def test_stage_histories_are_consistent(leads):
    checks.assert_stage_histories_consistent(leads)


def test_gates_hold_visits_and_signing_figures(leads):
    checks.assert_gates_hold(leads)


def test_records_are_believable(leads):
    checks.assert_records_believable(leads)
    assert sum(lead.credit_code is not None for lead in leads) > 60
    assert any(not any("\u4e00" <= ch <= "\u9fff" for ch in lead.company_name) for lead in leads)  # foreign


def test_collisions_are_linked_both_ways(leads):
    checks.assert_collisions_linked(leads)


def test_key_leads_have_sponsoring_leaders(leads):
    key = [lead for lead in leads if lead.is_key]
    assert key and all(lead.priority == 1 for lead in key)
    assert any(lead.sponsoring_leader for lead in key)


def test_next_actions_fall_around_today(leads, app):
    with app.app_context():
        today = seed.zone_today()
    due = [lead.next_action_due for lead in leads if lead.next_action_due]
    assert any(day < today for day in due)
    assert any(day == today for day in due)
    assert any(day > today for day in due)
    assert all(lead.next_action for lead in leads if lead.next_action_due)


def test_intake_spreads_over_fourteen_months(leads):
    span = max(lead.created_at for lead in leads) - min(lead.created_at for lead in leads)
    assert timedelta(days=360) < span < timedelta(days=430)


def test_activities_include_calls_wechat_and_visits(zone, app):
    with app.app_context():
        kinds = dict(db.session.execute(select(Activity.kind, func.count()).group_by(Activity.kind)).all())
    assert {"call", "wechat", "visit", "meeting", "note"} <= set(kinds)
    assert kinds["visit"] >= 50


def test_an_officer_sees_a_demo_lead(zone, app):
    with app.app_context():
        lead = db.session.scalar(select(Lead).where(Lead.stage == "signed").order_by(Lead.id).limit(1))
        lead_id, company = lead.id, lead.company_name
    client = app.test_client()  # adds the CSRF token to form posts
    response = client.post("/login", data={"email": "li.wei@demo.zone", "password": PASSWORD})
    assert response.status_code == 302
    detail = client.get(f"/leads/{lead_id}")
    assert detail.status_code == 200
    assert company in detail.get_data(as_text=True)
    assert client.get("/leads").status_code == 200
