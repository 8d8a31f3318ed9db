"""Who sees which personal details of a lead: the rules themselves, without a request."""

import pytest
from privacy_helpers import MASKED, MOBILE, confidential_lead, owned_lead

from crm.extensions import db
from crm.privacy import services, visibility
from tests.factories import make_user


def test_the_owner_sees_the_full_mobile_and_other_officers_a_masked_one(people):
    lead = owned_lead(people.owner)
    assert visibility.visible_mobile(people.owner, lead) == MOBILE
    assert visibility.visible_mobile(people.other, lead) == MASKED
    assert visibility.visible_email(people.other, lead) == "w***@xingchi-power.cn"
    assert visibility.is_masked(people.other, lead) and not visibility.is_masked(people.owner, lead)


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_see_every_mobile(people, role):
    lead = owned_lead(people.owner)
    assert visibility.visible_mobile(getattr(people, role), lead) == MOBILE
    assert visibility.visible_email(getattr(people, role), lead) == "wang@xingchi-power.cn"


def test_an_unowned_enquiry_is_masked_for_officers_until_claimed(people):
    lead = owned_lead(people.owner)
    lead.owner_id = None
    assert visibility.visible_mobile(people.other, lead) == MASKED


def test_nobody_in_particular_sees_a_masked_mobile(people):
    """None is the reader of a page cached for everyone, or of a file that leaves the system."""
    lead = owned_lead(people.owner)
    assert visibility.visible_mobile(None, lead) == MASKED


def test_other_officers_see_a_confidential_lead_by_its_codename_only(people):
    lead = confidential_lead(people.owner, codename="项目A-07")
    other = people.other
    assert visibility.visible_company(other, lead) == "项目A-07"
    for function in (visibility.visible_contact, visibility.visible_mobile, visibility.visible_email,
                     visibility.visible_credit_code, visibility.visible_message):
        assert function(other, lead) == "", function.__name__
    assert not visibility.is_masked(other, lead)  # not even the masked digits


@pytest.mark.parametrize("reader", ["owner", "manager", "admin"])
def test_the_inner_circle_sees_a_confidential_lead_in_full(people, reader):
    lead = confidential_lead(people.owner, credit_code="91430200MA4L8XJ12C")
    user = getattr(people, reader)
    assert visibility.visible_company(user, lead) == "湖南星驰动力科技有限公司"
    assert visibility.visible_contact(user, lead) == "王建国"
    assert visibility.visible_mobile(user, lead) == MOBILE
    assert visibility.visible_message(user, lead) == "计划明年开工，星驰动力。"


def test_the_sponsoring_leader_linked_as_a_user_sees_it_like_the_owner(people):
    lead = confidential_lead(people.owner)
    leader = make_user("officer", name="分管副主任")
    assert visibility.visible_company(leader, lead) == "项目A-07"
    services.set_confidential(lead, confidential=True, codename=None, by=people.manager,
                              sponsoring_leader=leader, change_leader=True)
    db.session.commit()
    assert visibility.visible_company(leader, lead) == "湖南星驰动力科技有限公司"
    assert visibility.visible_mobile(leader, lead) == MOBILE
    assert lead.sponsoring_leader == "分管副主任"


def test_a_confidential_lead_without_a_codename_is_still_not_named(people):
    lead = confidential_lead(people.owner)
    lead.codename = None
    assert visibility.visible_company(people.other, lead) == f"保密线索 {lead.reference}"  # zh_CN by default


def test_audited_values_follow_the_same_rules(people):
    lead = owned_lead(people.owner)
    assert visibility.visible_audited(people.other, lead, "mobile", "+8613900001111") == "+86139****1111"
    assert visibility.visible_audited(people.owner, lead, "mobile", "+8613900001111") == "+8613900001111"
    assert visibility.visible_audited(people.other, lead, "timing", "2027") == "2027"
    assert visibility.visible_audited(people.other, lead, "mobile", None) is None
    lead.is_confidential = True
    assert visibility.visible_audited(people.other, lead, "company_name", "星驰") == ""


def test_plain_rows_must_carry_the_columns_that_decide(people):
    """A board card or export row without the confidentiality columns fails loudly instead of leaking."""
    from types import SimpleNamespace

    row = SimpleNamespace(id=1, company_name="星驰", owner_id=people.owner.id)
    with pytest.raises(AttributeError):
        visibility.visible_company(people.other, row)


@pytest.mark.parametrize("email, masked", [("wang@xingchi-power.cn", "w***@xingchi-power.cn"), ("x", "x***"),
                                           ("", "")])
def test_mask_email(email, masked):
    assert visibility.mask_email(email) == masked
