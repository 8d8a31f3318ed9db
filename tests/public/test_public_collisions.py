"""Collisions (撞单) caught from the enquiry form, and the identity normalisation behind them."""

import json

import pytest
from factories import make_lead
from public_helpers import valid_enquiry
from sqlalchemy import select

from crm.auth import services as accounts
from crm.leads import services
from crm.leads.identity import (
    InvalidMobile,
    credit_code_with_check,
    fold,
    is_valid_credit_code,
    normalise_company,
    normalise_credit_code,
    normalise_mobile,
)
from crm.leads.models import Lead, LeadEvent
from crm.notifications.models import Notification


def _officer(name: str):
    return accounts.create_user(f"{name.lower()}@zone.gov.cn", role="officer", name=name)


def _newest_lead(db) -> Lead:
    db.session.rollback()
    return db.session.scalars(select(Lead).order_by(Lead.id.desc())).first()


def _collision_notices(db, user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == "collision")))


# --- from the form --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("existing", "enquiry", "reason"), [
    ({"mobile": "+8613807312345", "company_name": "长沙某某贸易有限公司"},
     {"mobile": "138-0731-2345", "company": "星驰动力"}, "mobile"),
    ({"mobile": "+8613900000001", "company_name": "湖南意华交通装备股份有限公司"},
     {"mobile": "13807312345", "company": "意华交通装备有限公司"}, "company"),
    ({"mobile": "+8613900000001", "company_name": "株洲意华交通装备有限责任公司"},
     {"mobile": "13807312345", "company": "湖南省意华交通装备集团"}, "company"),
    ({"mobile": "+8613900000001", "company_name": "ＸＩＮＧＣＨＩ Power Co., Ltd."},
     {"mobile": "13807312345", "company": "xingchi power limited"}, "company"),
])
def test_an_enquiry_for_a_known_investor_is_kept_linked_and_announced(client, db, existing, enquiry, reason):
    owner = _officer("Owner")
    earlier = make_lead(owner=owner, **existing)

    response = client.post("/enquiry", data=valid_enquiry(**enquiry, message="第二次来询：请尽快联系"))
    assert response.status_code == 303

    new = _newest_lead(db)
    assert new.id != earlier.id
    assert new.message == "第二次来询：请尽快联系"  # an investor's message is never dropped
    assert new.collides_with_id == earlier.id
    assert new.collision_reason == reason
    [notice] = _collision_notices(db, owner)
    assert notice.lead_id == earlier.id
    assert json.loads(notice.payload)["other_lead_id"] == new.id
    for lead in (new, earlier):
        assert db.session.scalar(select(LeadEvent).where(LeadEvent.lead_id == lead.id,
                                                         LeadEvent.kind == "collision"))


def test_an_enquiry_matching_nobody_is_not_linked(client, db):
    owner = _officer("Owner")
    make_lead(owner=owner, mobile="+8613900000001", company_name="长沙某某贸易有限公司")
    assert client.post("/enquiry", data=valid_enquiry()).status_code == 303
    assert _newest_lead(db).collides_with_id is None
    assert _collision_notices(db, owner) == []


def test_the_earliest_matching_lead_is_the_link(client, db):
    first = make_lead(mobile="+8613807312345")
    make_lead(mobile="+8613807312345")
    client.post("/enquiry", data=valid_enquiry(mobile="13807312345"))
    assert _newest_lead(db).collides_with_id == first.id


def test_a_repeated_enquiry_from_the_same_investor_is_kept_too(client, db):
    for _ in range(3):
        assert client.post("/enquiry", data=valid_enquiry()).status_code == 303
    leads = list(db.session.scalars(select(Lead).order_by(Lead.id)))
    assert len(leads) == 3
    assert [lead.collides_with_id for lead in leads] == [None, leads[0].id, leads[0].id]


def test_both_owners_hear_of_a_collision(db):
    """An officer logs a hotline lead for an investor a colleague already works: both are told."""
    first_owner, second_owner = _officer("Li"), _officer("Zhang")
    earlier = make_lead(owner=first_owner, mobile="+8613807312345")
    later = services.create_lead({"kind": "land", "company_name": "星驰动力（株洲）有限公司", "contact_name": "王",
                                  "mobile": "138 0731 2345"}, by=second_owner, source="hotline")
    db.session.commit()
    assert later.owner_id == second_owner.id
    assert later.collides_with_id == earlier.id
    [to_first] = _collision_notices(db, first_owner)
    [to_second] = _collision_notices(db, second_owner)
    assert (to_first.lead_id, to_second.lead_id) == (earlier.id, later.id)


def test_credit_code_collision(db):
    first_owner, second_owner = _officer("Li"), _officer("Zhang")
    earlier = make_lead(owner=first_owner, credit_code="91110000600037341L", company_name="甲公司")
    later = services.create_lead({"kind": "office", "company_name": "完全不同的名字有限公司", "contact_name": "王",
                                  "mobile": "+8613911112222", "credit_code": " 91110000600037341l "},
                                 by=second_owner, source="expo")
    db.session.commit()
    assert later.credit_code == "91110000600037341L"
    assert (later.collides_with_id, later.collision_reason) == (earlier.id, "credit_code")
    assert _collision_notices(db, first_owner) and _collision_notices(db, second_owner)


def test_collision_with_an_unassigned_lead_links_without_notices(client, db):
    earlier = make_lead(mobile="+8613807312345")
    client.post("/enquiry", data=valid_enquiry(mobile="13807312345"))
    assert _newest_lead(db).collides_with_id == earlier.id
    assert db.session.scalars(select(Notification).where(Notification.kind == "collision")).all() == []


# --- company names ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("spelling", [
    "湖南意华交通装备股份有限公司",
    "意华交通装备有限公司",
    "意华交通装备有限责任公司",
    "意华交通装备集团",
    "意华交通装备集团有限公司",
    "湖南省意华交通装备有限公司",
    "株洲市意华交通装备有限公司",
    "湖南株洲意华交通装备有限公司",
    "意华（株洲）交通装备有限公司",
    "意华(株洲)交通装备有限公司",
    " 意华 交通装备 有限公司 ",
    "意华交通装备",
])
def test_spellings_of_one_company_share_a_key(spelling):
    assert normalise_company(spelling) == "意华交通装备"


@pytest.mark.parametrize(("a", "b"), [
    ("ＸＩＮＧＣＨＩ　Ｐｏｗｅｒ", "xingchi power"),           # full-width letters and space
    ("XINGCHI POWER CO., LTD.", "Xingchi Power Co Ltd"),      # case and punctuation
    ("Xingchi Power Limited", "xingchi power"),
    ("星驰动力（集团）有限公司", "星驰动力"),
    ("星驰动力，有限公司。", "星驰动力"),
])
def test_width_case_and_punctuation_do_not_matter(a, b):
    assert normalise_company(a) == normalise_company(b)


@pytest.mark.parametrize(("a", "b"), [
    ("意华交通装备有限公司", "意华电子有限公司"),
    ("中车株洲电力机车有限公司", "中车时代电气股份有限公司"),
    ("比亚迪汽车有限公司", "比亚迪电子有限公司"),
])
def test_different_companies_keep_different_keys(a, b):
    assert normalise_company(a) != normalise_company(b)


@pytest.mark.parametrize("name", ["湖南", "湖南省", "株洲有限公司", "集团", "有限公司"])
def test_a_place_or_suffix_alone_is_not_emptied(name):
    assert normalise_company(name)


def test_empty_company_names():
    assert normalise_company(None) == "" and normalise_company("   ") == ""


def test_fold_is_nfkc_and_casefold():
    assert fold("ＡＢＣ１２３　") == "abc123"
    assert fold("Straße") == "strasse"


def test_english_suffixes_need_a_word_boundary():
    assert normalise_company("Tesco") == "tesco"
    assert normalise_company("Tesco PLC") == "tesco"
    assert normalise_company("Acme Holdings Co., Ltd.") == "acme"


# --- mobiles ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "e164"), [
    ("13807312345", "+8613807312345"),
    ("138 0731 2345", "+8613807312345"),
    ("138-0731-2345", "+8613807312345"),
    ("+86 138 0731 2345", "+8613807312345"),
    ("0086 138 0731 2345", "+8613807312345"),
    ("８６１３８０７３１２３４５", "+8613807312345"),
    ("１３８ ０７３１ ２３４５", "+8613807312345"),
    ("19912345678", "+8619912345678"),
    ("+49 151 23456789", "+4915123456789"),
    ("+44 7911 123456", "+447911123456"),
    ("+1 650 253 0000", "+16502530000"),
])
def test_mobile_normalisation(typed, e164):
    assert normalise_mobile(typed) == e164


@pytest.mark.parametrize("typed", [
    "", "   ", "0731-12345678", "0731 8888 6666", "+86 731 8888 6666", "1380731", "138073123456789", "138abcd2345",
    "12345678901", "+999 1234567", "tel:13807312345", "1" * 200, "\x00", "++8613807312345",
])
def test_not_a_mobile(typed):
    with pytest.raises(InvalidMobile):
        normalise_mobile(typed)


def test_bracketed_country_code_is_a_mobile():
    assert normalise_mobile("(+86) 138-0731-2345") == "+8613807312345"


# --- unified social credit codes (GB 32100-2015) -------------------------------------------------------------

@pytest.mark.parametrize("code", ["914403001922038216", "91110000600037341L", "91430200MA4L16JQ9B"[:17]])
def test_real_credit_codes_pass_the_check(code):
    if len(code) == 17:  # a generated one: complete it with its check character
        code = credit_code_with_check(code)
    assert is_valid_credit_code(code)


@pytest.mark.parametrize("code", [
    "914403001922038217",   # wrong check digit
    "91110000600037341K",   # wrong check letter
    "91440300192203821",    # 17 characters
    "9144030019220382160",  # 19 characters
    "91440300192203821I",   # I is not in the alphabet
    "9144030019220382O6",   # nor is O
    "91110000600037341l",   # lower case (normalise first)
    "",
])
def test_bad_credit_codes_fail_the_check(code):
    assert not is_valid_credit_code(code)


def test_credit_codes_are_normalised_before_checking():
    assert normalise_credit_code(" 91110000600037341l ") == "91110000600037341L"
    assert normalise_credit_code("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"
    assert is_valid_credit_code(normalise_credit_code("9111 0000 6000 3734 1l"))


def test_every_check_character_round_trips():
    for body in ("91430200MA4L16JQ9", "12100000400000624", "51110000500000117", "Y1430200MA4L16JQ9"):
        assert is_valid_credit_code(credit_code_with_check(body))
