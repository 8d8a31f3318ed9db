"""Merging two leads: chosen values, everything moved, the old reference still resolving, audited, allowed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.core.database import utcnow
from crm.extensions import db
from crm.leads import merge, services
from crm.leads.aliases import LeadAlias
from crm.leads.models import Activity, Lead, LeadEvent
from crm.notifications.models import Notification
from tests.factories import make_lead, make_user


def _pair(officer, **other_fields):
    """A lead of `officer` and a later lead for the same investor (a collision), both committed."""
    first = make_lead(by=officer, owner=officer, company_name="湖南星驰动力科技有限公司", mobile="13807312345",
                      email=None, planned_investment_wan=Decimal("50000"), intended_use="电机控制器")
    values = {"company_name": "星驰动力科技有限公司", "mobile": "13807312345", "email": "wang@xingchi.cn",
              "planned_investment_wan": Decimal("80000"), "intended_use": "电驱总成", "kind": "land"}
    values.update(other_fields)
    second = make_lead(by=officer, owner=officer, **values)
    services.log_activity(first, kind="call", outcome="首次电话", by=officer)
    services.log_activity(second, kind="visit", outcome="看了天易科技城地块", by=officer,
                          occurred_at=utcnow() + timedelta(hours=1))
    db.session.commit()
    assert second.collides_with_id == first.id
    return first, second


def _count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.scalar(query)


def test_merge_keeps_every_activity_and_audit_event(db):
    officer = make_user("officer")
    first, second = _pair(officer)
    activities = _count(Activity, lead_id=first.id) + _count(Activity, lead_id=second.id)
    events = _count(LeadEvent, lead_id=first.id) + _count(LeadEvent, lead_id=second.id)
    notices = _count(Notification, lead_id=first.id) + _count(Notification, lead_id=second.id)
    old_reference, old_id = second.reference, second.id
    merge.merge_leads(first, second, by=officer, take_from_other=["email", "planned_investment_wan"],
                      lead_version=first.version, other_version=second.version)
    db.session.commit()
    assert db.session.get(Lead, old_id) is None
    assert _count(Activity, lead_id=first.id) == activities == 2
    outcomes = {a.outcome for a in db.session.scalars(select(Activity).where(Activity.lead_id == first.id))}
    assert outcomes == {"首次电话", "看了天易科技城地块"}
    # Every earlier event, plus one per value taken and the merge itself.
    assert _count(LeadEvent, lead_id=first.id) == events + 3
    assert _count(Notification, lead_id=first.id) == notices
    db.session.refresh(first)
    assert first.email == "wang@xingchi.cn" and first.planned_investment_wan == Decimal("80000")
    assert first.intended_use == "电机控制器" and first.kind == "factory_rental"  # not taken: kept
    assert first.collides_with_id is None  # the collision is settled
    merged = db.session.scalars(select(LeadEvent).where(LeadEvent.lead_id == first.id,
                                                        LeadEvent.kind == "merged")).one()
    assert (merged.old_value, merged.new_value, merged.user_id) == (old_reference, first.reference, officer.id)
    alias = db.session.scalars(select(LeadAlias)).one()
    assert (alias.reference, alias.old_lead_id, alias.lead_id) == (old_reference, old_id, first.id)
    assert "wang@xingchi.cn" in alias.snapshot


def test_the_old_reference_still_finds_the_kept_lead(client, login, db):
    officer = login(make_user("officer"))
    first, second = _pair(officer)
    old_reference, old_id = second.reference, second.id
    merge.merge_leads(first, second, by=officer)
    db.session.commit()
    page = client.get(f"/leads?q={old_reference}").get_data(as_text=True)
    assert f"/leads/{first.id}\"" in page
    response = client.get(f"/leads/{old_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/leads/{first.id}")
    assert client.get(f"/leads/{old_id}/edit").headers["Location"].endswith(f"/leads/{first.id}/edit")
    assert client.post(f"/leads/{old_id}/claim").status_code == 404  # only reads follow the alias
    detail = client.get(f"/leads/{first.id}?lang=en").get_data(as_text=True)
    assert f"Lead {old_reference} was merged into this lead." in detail


def test_a_second_merge_moves_the_first_alias_along(db):
    manager = make_user("manager")
    a, b, c = (make_lead(by=manager, company_name=f"链式合并{n}有限公司") for n in "甲乙丙")
    merge.merge_leads(b, a, by=manager)
    merge.merge_leads(c, b, by=manager)
    db.session.commit()
    assert {alias.lead_id for alias in db.session.scalars(select(LeadAlias))} == {c.id}


def test_leads_linked_to_the_merged_one_point_to_the_kept_one(db):
    manager = make_user("manager")
    first = make_lead(by=manager, mobile="13900000001")
    second = make_lead(by=manager, mobile="13900000002", company_name="另一个科技有限公司")
    third = make_lead(by=manager, mobile="13900000002")  # collides with second
    assert third.collides_with_id == second.id
    merge.merge_leads(first, second, by=manager)
    db.session.commit()
    db.session.refresh(third)
    assert third.collides_with_id == first.id


def test_merge_via_the_page_picks_values_by_radio(client, login, db):
    officer = login(make_user("officer"))
    first, second = _pair(officer)
    page = client.get(f"/leads/{first.id}/merge?with={second.reference}").get_data(as_text=True)
    assert 'name="take-email"' in page and 'name="take-intended_use"' in page
    assert 'id="take-email-other" value="other" checked' in page  # blank on the kept lead: take the other
    assert 'id="take-intended_use-keep" value="keep" checked' in page
    response = client.post(f"/leads/{first.id}/merge", data={
        "with": str(second.id), "lead_version": str(first.version), "other_version": str(second.version),
        "take-email": "other", "take-intended_use": "other", "take-kind": "keep"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/leads/{first.id}")
    db.session.refresh(first)
    assert (first.email, first.intended_use, first.kind) == ("wang@xingchi.cn", "电驱总成", "factory_rental")


def test_the_collision_notice_links_to_the_merge(client, login, db):
    officer = login(make_user("officer"))
    first, second = _pair(officer)
    page = client.get(f"/leads/{second.id}").get_data(as_text=True)
    assert f'/leads/{first.id}/merge?with={second.id}' in page


def test_a_stale_merge_changes_nothing(client, login, db):
    officer = login(make_user("officer"))
    first, second = _pair(officer)
    response = client.post(f"/leads/{first.id}/merge", data={
        "with": str(second.id), "lead_version": str(first.version - 1), "other_version": str(second.version)})
    assert response.status_code == 303 and "merge" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Lead, second.id) is not None
    assert _count(LeadAlias) == 0


@pytest.mark.parametrize("owner_of_other", ["colleague", "nobody"])
def test_officers_merge_only_their_own_or_unassigned_leads(client, login, db, owner_of_other):
    officer, colleague = make_user("officer"), make_user("officer")
    mine = make_lead(by=officer, owner=officer)
    other = make_lead(by=None, company_name="无人认领科技有限公司") if owner_of_other == "nobody" else \
        make_lead(by=colleague, owner=colleague, company_name="同事的科技有限公司")
    login(officer)
    other_id = other.id
    response = client.get(f"/leads/{mine.id}/merge?with={other.id}")
    if owner_of_other == "nobody":
        assert response.status_code == 200
        client.post(f"/leads/{mine.id}/merge", data={"with": str(other.id), "lead_version": str(mine.version),
                                                      "other_version": str(other.version)})
        db.session.expire_all()  # the request had its own session; this one still holds both leads
        assert db.session.get(Lead, other_id) is None and db.session.get(Lead, mine.id).owner_id == officer.id
    else:
        assert response.status_code == 403
        response = client.post(f"/leads/{mine.id}/merge", data={
            "with": str(other.id), "lead_version": str(mine.version), "other_version": str(other.version)})
        assert response.status_code == 403
        db.session.expire_all()
        assert db.session.get(Lead, other.id) is not None
        # Nor into the colleague's lead from the other side.
        assert client.get(f"/leads/{other.id}/merge?with={mine.id}").status_code == 403


def test_managers_merge_any_two_and_choose_the_owner(db):
    manager, officer, colleague = make_user("manager"), make_user("officer"), make_user("officer")
    a = make_lead(by=officer, owner=officer)
    b = make_lead(by=colleague, owner=colleague, company_name="另一家有限公司")
    assert "owner_id" in merge.differences(a, b, manager)
    assert "owner_id" not in merge.differences(a, b, officer)
    merge.merge_leads(a, b, by=manager, take_from_other=["owner_id"])
    db.session.commit()
    db.session.refresh(a)
    assert a.owner_id == colleague.id
    assigned = db.session.scalars(select(LeadEvent).where(LeadEvent.lead_id == a.id,
                                                          LeadEvent.kind == "assigned")).all()
    assert any(e.note == "merge" and e.new_value == str(colleague.id) for e in assigned)


def test_a_lead_is_not_merged_with_itself_or_a_missing_one(client, login, db):
    officer = login(make_user("officer"))
    lead = make_lead(by=officer, owner=officer)
    with pytest.raises(merge.MergeError):
        merge.merge_leads(lead, lead, by=officer)
    assert client.get(f"/leads/{lead.id}/merge?with={lead.id}").status_code == 400
    assert client.get(f"/leads/{lead.id}/merge?with=ZS-2026-999999").status_code == 400
    assert client.get(f"/leads/{lead.id}/merge?with=%E6%97%A0").status_code == 400
    assert client.get(f"/leads/{lead.id}/merge").status_code == 200  # the picker
    assert client.post(f"/leads/{lead.id}/merge", data={}).status_code == 400


def test_two_signed_leads_with_projects_cannot_merge(db):
    from crm.projects.models import Project

    manager = make_user("manager")
    a, b = make_lead(by=manager), make_lead(by=manager, company_name="另一家有限公司")
    for lead, code in ((a, "P-1"), (b, "P-2")):
        db.session.add(Project(code=code, name=code, company_name=lead.company_name,
                               company_key=lead.company_key, lead_id=lead.id))
    db.session.commit()
    with pytest.raises(merge.MergeError):
        merge.merge_leads(a, b, by=manager)
    db.session.rollback()
    assert db.session.get(Lead, b.id) is not None
