"""The lead services called directly: gates, collisions, audit, versions, permissions."""

from datetime import date
from decimal import Decimal

import pytest

from crm.extensions import db as _db
from crm.leads import services
from crm.leads.models import Activity, LeadEvent
from crm.leads.stages import PipelineError, missing_for
from crm.notifications.models import Notification
from tests.factories import make_lead, make_user, signable_figures


def test_new_lead_gets_reference_token_and_created_event(db):
    officer = make_user()
    lead = make_lead(by=officer)
    assert lead.reference == f"ZS-{lead.created_at.year}-{lead.id:06d}"
    assert len(lead.status_token) >= 30
    kinds = [e.kind for e in lead.events]
    assert "created" in kinds
    assert lead.owner_id == officer.id  # an officer logging a lead is working it


def test_manager_logging_a_lead_leaves_it_unassigned(db):
    manager = make_user("manager")
    lead = make_lead(by=manager)
    assert lead.owner_id is None


def test_leaving_enquiry_needs_an_owner(db):
    manager = make_user("manager")
    lead = make_lead(by=manager)
    with pytest.raises(PipelineError) as err:
        services.move_lead(lead, "contacted", by=manager)
    assert err.value.missing == ("owner_id",)


def test_site_visit_needs_a_logged_visit(db):
    officer = make_user()
    lead = make_lead(by=officer, stage="contacted")
    with pytest.raises(PipelineError) as err:
        services.move_lead(lead, "site_visit", by=officer)
    assert "visit" in err.value.missing
    services.log_activity(lead, kind="call", outcome="约了看厂", by=officer)
    with pytest.raises(PipelineError):
        services.move_lead(lead, "site_visit", by=officer)
    services.log_activity(lead, kind="visit", outcome="看了天易科技城3号厂房", by=officer)
    services.move_lead(lead, "site_visit", by=officer)
    assert lead.stage == "site_visit"


def test_signed_gate_names_every_missing_figure(app, db):
    officer = make_user()
    lead = make_lead(by=officer, stage="negotiation")
    services.log_activity(lead, kind="visit", outcome="考察", by=officer)
    with app.test_request_context("/?lang=en"), pytest.raises(PipelineError) as err:
        services.move_lead(lead, "signed", by=officer)
    assert set(err.value.missing) == {"planned_investment_wan", "area", "expected_tax_wan"}
    with app.test_request_context("/?lang=en"):
        message = str(err.value)
    assert "planned investment" in message and "expected annual tax" in message


def test_signed_gate_accepts_figures_supplied_with_the_move(db):
    officer = make_user()
    lead = make_lead(by=officer, stage="negotiation")
    services.log_activity(lead, kind="visit", outcome="考察", by=officer)
    services.move_lead(lead, "signed", by=officer, figures=signable_figures())
    _db.session.commit()
    assert lead.stage == "signed"
    assert lead.planned_investment_wan == Decimal("50000")
    fields = {e.field for e in lead.events if e.kind == "field"}
    assert {"planned_investment_wan", "land_mu", "expected_tax_wan"} <= fields


def test_floor_area_satisfies_the_area_gate(db):
    officer = make_user()
    lead = make_lead(by=officer, stage="negotiation", planned_investment_wan=Decimal(1), floor_area_m2=Decimal(500),
                     expected_tax_wan=Decimal(10))
    services.log_activity(lead, kind="visit", outcome="考察", by=officer)
    assert missing_for(lead, "signed") == []


def test_gates_are_cumulative_when_skipping_stages(db):
    officer = make_user()
    lead = make_lead(by=officer, **signable_figures())
    with pytest.raises(PipelineError) as err:
        services.move_lead(lead, "signed", by=officer)
    assert err.value.missing == ("visit",)


def test_lost_needs_a_reason(db):
    officer = make_user()
    lead = make_lead(by=officer)
    with pytest.raises(PipelineError) as err:
        services.move_lead(lead, "lost", by=officer, reason="  ")
    assert err.value.missing == ("lost_reason",)
    services.move_lead(lead, "lost", by=officer, reason="选择了长沙经开区")
    assert lead.stage == "lost" and lead.lost_reason == "选择了长沙经开区"


def test_on_hold_and_back(db):
    officer = make_user()
    lead = make_lead(by=officer, stage="contacted")
    services.move_lead(lead, "on_hold", by=officer, reason="投资方资金未到位")
    assert lead.hold_reason == "投资方资金未到位"
    services.move_lead(lead, "contacted", by=officer)
    assert lead.stage == "contacted"


def test_signed_lead_cannot_change_stage(db):
    officer = make_user()
    lead = make_lead(by=officer, stage="signed")
    with pytest.raises(PipelineError):
        services.move_lead(lead, "negotiation", by=officer)


def test_unknown_stage_is_refused(db):
    officer = make_user()
    lead = make_lead(by=officer)
    with pytest.raises(PipelineError):
        services.move_lead(lead, "won", by=officer)


def test_stage_change_is_audited(db):
    officer = make_user()
    lead = make_lead(by=officer)
    services.move_lead(lead, "contacted", by=officer)
    _db.session.commit()
    event = _db.session.scalars(_db.select(LeadEvent).where(LeadEvent.lead_id == lead.id,
                                                            LeadEvent.kind == "stage")).one()
    assert (event.old_value, event.new_value, event.user_id) == ("enquiry", "contacted", officer.id)


def test_field_changes_are_audited_with_old_and_new(db):
    officer = make_user()
    lead = make_lead(by=officer, planned_investment_wan=Decimal("100"))
    services.update_lead(lead, {"planned_investment_wan": Decimal("250.5"), "timing": "2027年一季度"},
                         by=officer, expected_version=lead.version)
    _db.session.commit()
    events = {e.field: e for e in lead.events if e.kind == "field"}
    assert (events["planned_investment_wan"].old_value, events["planned_investment_wan"].new_value) == ("100", "250.5")
    assert events["timing"].old_value is None and events["timing"].new_value == "2027年一季度"


def test_unchanged_values_are_not_audited(db):
    officer = make_user()
    lead = make_lead(by=officer, planned_investment_wan=Decimal("100"))
    changed = services.update_lead(lead, {"planned_investment_wan": Decimal("100.00"), "timing": ""},
                                   by=officer, expected_version=lead.version)
    assert changed == []


def test_stale_version_changes_nothing(db):
    officer = make_user()
    lead = make_lead(by=officer)
    seen = lead.version
    services.update_lead(lead, {"timing": "明年"}, by=officer, expected_version=seen)
    _db.session.commit()
    with pytest.raises(services.VersionConflict):
        services.update_lead(lead, {"timing": "今年"}, by=officer, expected_version=seen)
    assert lead.timing == "明年"


def test_missing_version_is_a_conflict(db):
    officer = make_user()
    lead = make_lead(by=officer)
    with pytest.raises(services.VersionConflict):
        services.update_lead(lead, {"timing": "明年"}, by=officer, expected_version=None)


def test_officer_cannot_edit_another_officers_lead(db):
    owner, other = make_user(), make_user()
    lead = make_lead(by=owner)
    with pytest.raises(services.LeadPermissionError):
        services.update_lead(lead, {"timing": "x"}, by=other, expected_version=lead.version)
    with pytest.raises(services.LeadPermissionError):
        services.move_lead(lead, "contacted", by=other)
    with pytest.raises(services.LeadPermissionError):
        services.log_activity(lead, kind="call", outcome="x", by=other)


def test_officer_cannot_set_key_flag_or_sponsoring_leader(db):
    officer = make_user()
    lead = make_lead(by=officer)
    with pytest.raises(services.LeadPermissionError):
        services.update_lead(lead, {"is_key": True}, by=officer, expected_version=lead.version)


def test_claim_unassigned_lead(db):
    manager, officer, other = make_user("manager"), make_user(), make_user()
    lead = make_lead(by=manager)
    services.claim_lead(lead, by=officer)
    assert lead.owner_id == officer.id
    with pytest.raises(services.LeadPermissionError):
        services.claim_lead(lead, by=other)


def test_only_managers_assign_and_the_new_owner_is_told(db):
    manager, officer = make_user("manager"), make_user()
    lead = make_lead(by=manager)
    with pytest.raises(services.LeadPermissionError):
        services.assign_lead(lead, officer, by=officer)
    services.assign_lead(lead, officer, by=manager)
    _db.session.commit()
    notice = _db.session.scalars(_db.select(Notification).where(Notification.user_id == officer.id)).one()
    assert notice.kind == "assigned" and notice.lead_id == lead.id


def test_cannot_assign_to_inactive_user(db):
    manager, gone = make_user("manager"), make_user(active=False)
    lead = make_lead(by=manager)
    with pytest.raises(services.LeadPermissionError):
        services.assign_lead(lead, gone, by=manager)


def test_activity_sets_next_action_and_last_activity(db):
    officer = make_user()
    lead = make_lead(by=officer)
    activity = services.log_activity(lead, kind="wechat", outcome="发了园区介绍", by=officer,
                                     next_action="安排看厂", next_action_due=date(2026, 12, 3))
    assert isinstance(activity, Activity)
    assert lead.next_action == "安排看厂" and lead.next_action_due == date(2026, 12, 3)
    assert lead.last_activity_at == activity.occurred_at


def test_activity_on_unassigned_lead_claims_it_for_the_officer(db):
    manager, officer = make_user("manager"), make_user()
    lead = make_lead(by=manager)
    services.log_activity(lead, kind="call", outcome="首次联系", by=officer)
    assert lead.owner_id == officer.id


@pytest.mark.parametrize("first, second, reason", [
    ({"mobile": "13800138000"}, {"mobile": "+86 138-0013-8000"}, "mobile"),
    ({"credit_code": "914403001922038216"}, {"credit_code": "914403001922038216"}, "credit_code"),
    ({"company_name": "湖南意华交通装备股份有限公司"}, {"company_name": "意华交通装备有限公司"}, "company"),
    ({"company_name": "株洲市瑞邦医疗科技集团"}, {"company_name": "瑞邦医疗科技有限责任公司"}, "company"),
    ({"company_name": "ＡＢＣ Motors Co., Ltd."}, {"company_name": "abc motors"}, "company"),
])
def test_collisions_link_and_tell_both_owners(db, first, second, reason):
    alice, bob = make_user(), make_user()
    old = make_lead(by=alice, **first)
    new = make_lead(by=bob, **second)
    assert new.collides_with_id == old.id
    assert new.collision_reason == reason
    told = set(_db.session.scalars(_db.select(Notification.user_id).where(Notification.kind == "collision")))
    assert told == {alice.id, bob.id}
    assert any(e.kind == "collision" for e in old.events)


def test_different_investors_do_not_collide(db):
    officer = make_user()
    make_lead(by=officer, company_name="湖南智点科技有限公司", mobile="13800138000")
    other = make_lead(by=officer, company_name="株洲信息港建设有限公司", mobile="13900139000")
    assert other.collides_with_id is None


def test_collision_never_drops_the_new_lead(db):
    officer = make_user()
    make_lead(by=officer, mobile="13800138000")
    make_lead(by=None, mobile="13800138000")
    assert _db.session.scalar(_db.select(_db.func.count()).select_from(services.Lead)) == 2


def test_one_save_is_one_version(db):
    officer = make_user()
    lead = make_lead(by=officer)
    before = lead.version
    services.update_lead(lead, {"timing": "明年", "jobs": 80}, by=officer, expected_version=before)
    _db.session.commit()
    assert lead.version == before + 1


def test_generic_names_keep_their_place(db):
    from crm.leads.identity import normalise_company

    assert normalise_company("上海汽车集团股份有限公司") != normalise_company("广州汽车集团")
    assert normalise_company("湖南意华交通装备股份有限公司") == normalise_company("意华交通装备有限公司")
