"""Marking a lead confidential: who may, the codename, the sponsoring leader link, and the audit."""

import pytest
from privacy_helpers import confidential_lead, owned_lead, page
from sqlalchemy import select

from crm.extensions import db
from crm.leads import services as leads
from crm.leads.models import Lead, LeadEvent
from crm.privacy import services
from crm.privacy.models import PrivacyEvent
from tests.factories import make_lead, make_user


def _post(client, lead, **data):
    return client.post(f"/leads/{lead.id}/confidential", data=data)


def test_the_owner_marks_a_lead_confidential_and_gets_a_codename(people, browser_as):
    lead = owned_lead(people.owner)
    owner = browser_as(people.owner)
    response = _post(owner, lead, is_confidential="y", codename="")
    assert response.status_code == 302
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert lead.is_confidential and lead.codename == "项目A-01"
    [event] = db.session.scalars(select(PrivacyEvent)).all()
    assert event.action == "confidential" and event.user_id == people.owner.id and event.ids == [lead.id]
    audited = {e.field: e.new_value for e in db.session.scalars(select(LeadEvent).where(
        LeadEvent.lead_id == lead.id, LeadEvent.kind == "field"))}
    assert audited == {"is_confidential": "1", "codename": "项目A-01"}
    html = page(owner, f"/leads/{lead.id}")
    assert "保密" in html and "是" in html  # the timeline reads "保密：否 → 是"


def test_codenames_are_not_reused(people):
    first = confidential_lead(people.owner, codename=None)
    second = confidential_lead(people.owner, codename=None)
    third = confidential_lead(people.owner, codename="项目A-03")
    assert (first.codename, second.codename, third.codename) == ("项目A-01", "项目A-02", "项目A-03")
    assert services.next_codename() == "项目A-04"


def test_a_chosen_codename_is_kept(people, browser_as):
    lead = owned_lead(people.owner)
    _post(browser_as(people.owner), lead, is_confidential="y", codename="  星火计划 ")
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).codename == "星火计划"


def test_another_officer_may_not_change_confidentiality(people, browser_as):
    lead = owned_lead(people.owner)
    assert _post(browser_as(people.other), lead, is_confidential="y").status_code == 403
    db.session.expire_all()
    assert not db.session.get(Lead, lead.id).is_confidential


def test_only_a_manager_lifts_it(people, browser_as):
    lead = confidential_lead(people.owner)
    owner = browser_as(people.owner)
    response = _post(owner, lead, codename="项目A-07")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).is_confidential
    assert "只有管理人员可以取消" in page(owner, f"/leads/{lead.id}")
    _post(browser_as(people.manager), lead, codename="项目A-07")
    db.session.expire_all()
    assert not db.session.get(Lead, lead.id).is_confidential
    assert [e.action for e in db.session.scalars(select(PrivacyEvent).order_by(PrivacyEvent.id))] == [
        "confidential", "not_confidential"]


def test_a_lead_without_an_owner_cannot_be_made_confidential(people):
    lead = make_lead(by=None)
    with pytest.raises(services.PrivacyError):
        services.set_confidential(lead, confidential=True, codename=None, by=people.manager)


def test_a_manager_links_the_sponsoring_leader_who_then_sees_the_lead(people, browser_as):
    lead = confidential_lead(people.owner)
    leader = make_user("officer", name="陈副主任")
    assert "湖南星驰动力" not in page(browser_as(leader), f"/leads/{lead.id}")
    _post(browser_as(people.manager), lead, is_confidential="y", codename="项目A-07",
          sponsoring_leader_id=str(leader.id))
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert lead.sponsoring_leader_id == leader.id and lead.sponsoring_leader == "陈副主任"
    assert "湖南星驰动力" in page(browser_as(leader), f"/leads/{lead.id}")


def test_an_officer_cannot_set_the_sponsoring_leader(people, browser_as):
    lead = owned_lead(people.owner)
    _post(browser_as(people.owner), lead, is_confidential="y", sponsoring_leader_id=str(people.other.id))
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).sponsoring_leader_id is None


def test_an_unknown_sponsoring_leader_is_refused(people, browser_as):
    lead = owned_lead(people.owner)
    response = _post(browser_as(people.manager), lead, is_confidential="y", sponsoring_leader_id="999999")
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Lead, lead.id).is_confidential


def test_officers_cannot_take_or_edit_an_unowned_confidential_lead(people, browser_as):
    lead = confidential_lead(people.owner)
    leads.assign_lead(lead, None, by=people.manager)
    db.session.commit()
    assert not leads.can_edit(people.other, lead)
    with pytest.raises(leads.LeadPermissionError):
        leads.claim_lead(lead, by=people.other)
    other = browser_as(people.other)
    assert other.post(f"/leads/{lead.id}/claim").status_code == 409
    assert other.get(f"/leads/{lead.id}/edit").status_code == 403
    assert leads.can_edit(people.manager, lead)


def test_an_officer_cannot_merge_an_unowned_confidential_lead_into_their_own(people, browser_as):
    from crm.leads import merge

    secret = confidential_lead(people.owner, codename="项目A-07")
    leads.assign_lead(secret, None, by=people.manager)
    mine = owned_lead(people.other, company_name="星驰动力", mobile="+8613900002222")
    db.session.commit()
    assert not merge.can_merge(people.other, mine, secret)
    assert merge.can_merge(people.manager, mine, secret)
    response = browser_as(people.other).get(f"/leads/{mine.id}/merge?with={secret.reference}")
    assert response.status_code == 403
