"""Checks that any seeded demo zone must pass, whatever its size: the stories obey the pipeline rules."""

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from crm.auth.models import User
from crm.core.database import utcnow
from crm.extensions import db
from crm.leads.identity import is_valid_credit_code, normalise_company, normalise_mobile
from crm.leads.models import Activity, Lead, LeadEvent
from crm.leads.stages import PIPELINE, missing_for

VISITED = ("site_visit", "negotiation", "signed")


def leads() -> list[Lead]:
    return list(db.session.scalars(select(Lead).order_by(Lead.id)))


def stage_histories() -> dict[int, list[LeadEvent]]:
    """Each lead's stage events (the created event included), oldest first."""
    histories = defaultdict(list)
    events = db.session.scalars(select(LeadEvent).where(LeadEvent.field == "stage")
                                .order_by(LeadEvent.lead_id, LeadEvent.at, LeadEvent.id))
    for event in events:
        histories[event.lead_id].append(event)
    return histories


def assert_stage_histories_consistent(all_leads: list[Lead]) -> None:
    """created → contacted → site_visit → ... in time order, ending at the lead's current stage."""
    histories = stage_histories()
    now = utcnow()
    for lead in all_leads:
        history = histories[lead.id]
        assert history, lead
        created = history[0]
        assert (created.kind, created.old_value, created.new_value) == ("created", None, "enquiry"), lead
        assert created.at == lead.created_at, lead
        for before, after in zip(history, history[1:], strict=False):
            assert after.kind == "stage", lead
            assert after.old_value == before.new_value, (lead, before.new_value, after.old_value)
            assert after.at > before.at, lead
        assert history[-1].new_value == lead.stage, lead
        assert lead.stage_entered_at == history[-1].at, lead
        assert history[-1].at <= now, lead
        # Only the pipeline's own order, with lost or on hold as the possible last step.
        path = [event.new_value for event in history]
        sides = [stage for stage in path if stage not in PIPELINE]
        assert len(sides) <= 1 and (not sides or path[-1] == sides[0]), path
        pipeline_part = [stage for stage in path if stage in PIPELINE]
        assert pipeline_part == list(PIPELINE[:len(pipeline_part)]), path
        if lead.stage == "lost":
            assert lead.lost_reason and history[-1].note == lead.lost_reason, lead
        if lead.stage == "on_hold":
            assert lead.hold_reason, lead


def assert_gates_hold(all_leads: list[Lead]) -> None:
    """Owners past enquiry, a visit before site_visit, signing figures: what the services would demand."""
    histories = stage_histories()
    first_visit = {}
    for lead_id, at in db.session.execute(select(Activity.lead_id, Activity.occurred_at)
                                          .where(Activity.kind == "visit").order_by(Activity.occurred_at)):
        first_visit.setdefault(lead_id, at)
    for lead in all_leads:
        path = {event.new_value: event.at for event in histories[lead.id]}
        if lead.stage != "enquiry" and set(path) & set(PIPELINE[1:]):
            assert lead.owner_id is not None, lead
        if lead.stage in VISITED or "site_visit" in path:
            assert lead.id in first_visit, f"{lead} reached site_visit without a logged visit"
            assert first_visit[lead.id] < path["site_visit"], lead
    owners = {}
    first_move = {lead_id: history[1].at for lead_id, history in histories.items() if len(history) > 1}
    for event in db.session.scalars(select(LeadEvent).where(LeadEvent.kind == "assigned")
                                    .order_by(LeadEvent.at, LeadEvent.id)):
        owners[event.lead_id] = event.new_value
        if event.old_value is None and event.lead_id in first_move:
            assert event.at < first_move[event.lead_id], event.lead_id  # an owner before leaving enquiry
    for lead in all_leads:
        assert owners.get(lead.id) == (str(lead.owner_id) if lead.owner_id else None), lead
    signed = [lead for lead in all_leads if lead.stage == "signed"]
    assert signed
    for lead in signed:
        assert missing_for(lead, "signed") == [], lead


def assert_records_believable(all_leads: list[Lead]) -> None:
    """Valid mobiles and credit codes, identity keys the app would compute, dates and figures that fit."""
    now = utcnow()
    officers = set(db.session.scalars(select(User.id).where(User.role == "officer")))
    for lead in all_leads:
        assert normalise_mobile(lead.mobile) == lead.mobile, lead.mobile
        assert lead.mobile.startswith("+861"), lead.mobile
        assert lead.company_key == normalise_company(lead.company_name), lead.company_name
        if lead.credit_code:
            assert is_valid_credit_code(lead.credit_code), lead.credit_code
        assert lead.owner_id is None or lead.owner_id in officers
        assert now - timedelta(days=430) < lead.created_at <= now
        assert lead.created_at <= lead.updated_at <= now
        if lead.planned_investment_wan is not None and lead.kind in ("investment", "land"):
            assert 1000 <= lead.planned_investment_wan <= 700000, lead.planned_investment_wan
        if lead.stage in ("signed", "lost"):
            assert lead.next_action_due is None
        assert lead.version == 1
    # Each investor once, unless linked as a collision.
    originals = [lead for lead in all_leads if lead.collides_with_id is None]
    assert len({lead.company_key for lead in originals}) == len(originals)
    assert len({lead.mobile for lead in originals}) == len(originals)
    codes = [lead.credit_code for lead in all_leads if lead.credit_code]
    assert len(set(codes)) == len(codes)
    # References follow the creation dates.
    created = [lead.created_at for lead in all_leads]
    assert created == sorted(created)
    for lead_id, occurred_at, created_at in db.session.execute(
            select(Activity.lead_id, Activity.occurred_at, Lead.created_at).join(Lead)):
        assert created_at <= occurred_at <= now, lead_id


def assert_collisions_linked(all_leads: list[Lead]) -> None:
    by_id = {lead.id: lead for lead in all_leads}
    linked = [lead for lead in all_leads if lead.collides_with_id]
    assert linked
    collision_events = defaultdict(set)
    for lead_id, other in db.session.execute(select(LeadEvent.lead_id, LeadEvent.new_value)
                                             .where(LeadEvent.kind == "collision")):
        collision_events[lead_id].add(int(other))
    for lead in linked:
        earlier = by_id[lead.collides_with_id]
        assert earlier.id < lead.id and earlier.created_at <= lead.created_at
        assert lead.company_name != earlier.company_name  # the same investor, typed differently
        assert lead.industry_code == earlier.industry_code
        if lead.collision_reason == "mobile":
            assert lead.mobile == earlier.mobile
        else:
            assert lead.collision_reason == "company" and lead.company_key == earlier.company_key
        assert earlier.id in collision_events[lead.id] and lead.id in collision_events[earlier.id]


def assert_demo_consistent() -> list[Lead]:
    all_leads = leads()
    assert_stage_histories_consistent(all_leads)
    assert_gates_hold(all_leads)
    assert_records_believable(all_leads)
    assert_collisions_linked(all_leads)
    return all_leads
