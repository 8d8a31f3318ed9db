"""The public enquiry form: its contract, what it stores, and what it refuses without storing anything."""

import re
from decimal import Decimal

import pytest
from factories import make_user
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from public_helpers import REFERENCE, STATUS_LINK, field_errors, table_counts, valid_enquiry
from sqlalchemy import select

from crm.leads.models import Lead, LeadEvent

CONTRACT_FIELDS = ("need", "use", "expected_tax", "company", "contact_name", "mobile", "email", "industry",
                   "area", "investment", "message", "consent", "csrf_token")
REQUIRED = ("need", "use", "expected_tax", "company", "contact_name", "mobile", "consent")


def _leads(db) -> list[Lead]:
    db.session.rollback()
    return list(db.session.scalars(select(Lead).order_by(Lead.id)))


def _field_block(html: str, name: str) -> str:
    """The markup of one field's wrapper (label, input, its error messages)."""
    blocks = re.split(r'(?=<div class="mb-3 )', html)
    matches = [block for block in blocks if f'name="{name}"' in block]
    assert matches, f"no field {name!r} on the page"
    return matches[0]


# --- contract -------------------------------------------------------------------------------------------


def test_form_page_carries_every_contract_field(client):
    response = client.get("/enquiry")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in CONTRACT_FIELDS:
        assert f'name="{name}"' in html, name
    assert 'name="website"' in html  # the honeypot
    assert 'action="/enquiry"' in html and 'method="post"' in html


def test_form_labels_are_bilingual(client):
    html = client.get("/enquiry", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for words in ("手机号", "Mobile", "公司", "Company", "预计年税收", "Expected annual tax"):
        assert words in html


def test_valid_chinese_enquiry_is_stored_and_thanked(client, db):
    response = client.post("/enquiry", data=valid_enquiry())
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/enquiry/thanks")

    [lead] = _leads(db)
    assert lead.source == "web_form"
    assert lead.stage == "enquiry"
    assert lead.kind == "land"
    assert lead.company_name == "湖南星驰动力科技有限公司"
    assert lead.contact_name == "王建国"
    assert lead.mobile == "+8613807312345"
    assert lead.email == "wang.jianguo@xingchi-power.cn"
    assert lead.intended_use == "新能源汽车电机控制器生产基地"
    assert lead.expected_tax_wan == Decimal("1200")
    assert lead.planned_investment_wan == Decimal("50000")
    assert lead.message.startswith("计划明年一季度开工")
    assert lead.consent is True and lead.consent_at is not None
    assert lead.owner_id is None
    assert db.session.scalar(select(LeadEvent).where(LeadEvent.lead_id == lead.id, LeadEvent.kind == "created"))

    thanks = client.get("/enquiry/thanks")
    html = thanks.get_data(as_text=True)
    assert thanks.status_code == 200
    assert lead.reference in html
    assert re.fullmatch(r"ZS-\d{4}-\d{6}", lead.reference)
    assert REFERENCE.search(html).group(0) == lead.reference
    link = STATUS_LINK.search(html).group(1)
    assert link == f"/enquiry/status/{lead.status_token}"
    status = client.get(link)
    assert status.status_code == 200
    assert lead.reference in status.get_data(as_text=True)


@pytest.mark.parametrize(("need", "column"), [
    ("land", "land_mu"), ("investment", "land_mu"), ("factory_rental", "floor_area_m2"), ("office", "floor_area_m2"),
])
def test_area_is_mu_for_land_and_m2_for_buildings(client, db, need, column):
    response = client.post("/enquiry", data=valid_enquiry(need=need, area="85.5"))
    assert response.status_code == 303
    [lead] = _leads(db)
    other = "floor_area_m2" if column == "land_mu" else "land_mu"
    assert getattr(lead, column) == Decimal("85.5")
    assert getattr(lead, other) is None


def test_optional_fields_may_be_left_out(client, db):
    data = valid_enquiry(email=None, industry=None, area=None, investment=None, message=None)
    assert client.post("/enquiry", data=data).status_code == 303
    [lead] = _leads(db)
    assert (lead.email, lead.industry_code, lead.land_mu, lead.planned_investment_wan, lead.message) == (
        None, None, None, None, None)


def test_industry_from_the_zone_list_is_stored(client, db):
    from factories import make_industry

    make_industry()
    assert client.post("/enquiry", data=valid_enquiry(industry="nev")).status_code == 303
    assert _leads(db)[0].industry_code == "nev"


def test_zero_expected_tax_is_an_amount_not_a_blank(client, db):
    """A warehouse tenant may honestly expect no tax yet; 0 must not read as "missing"."""
    assert client.post("/enquiry", data=valid_enquiry(expected_tax="0")).status_code == 303
    assert _leads(db)[0].expected_tax_wan == Decimal("0")


def test_amounts_accept_thousands_separators(client, db):
    assert client.post("/enquiry", data=valid_enquiry(investment="50,000", expected_tax="1，200")).status_code == 303
    lead = _leads(db)[0]
    assert (lead.planned_investment_wan, lead.expected_tax_wan) == (Decimal("50000"), Decimal("1200"))


@pytest.mark.parametrize(("typed", "stored"), [
    ("+49 151 23456789", "+4915123456789"),
    ("0049 151 23456789", "+4915123456789"),
    ("+852 5123 4567", "+85251234567"),
    ("+86 138-0731-2345", "+8613807312345"),
    ("１３８０７３１２３４５", "+8613807312345"),  # full-width digits from a Chinese IME
])
def test_mobiles_are_normalised(client, db, typed, stored):
    assert client.post("/enquiry", data=valid_enquiry(mobile=typed)).status_code == 303
    assert _leads(db)[0].mobile == stored


def test_missing_csrf_token_is_refused_and_stores_nothing(client, unchanged):
    with unchanged():
        response = client.post("/enquiry", data=valid_enquiry(), csrf=False)
    assert response.status_code == 400


def test_wrong_csrf_token_is_refused(client, unchanged):
    with unchanged():
        response = client.post("/enquiry", data=valid_enquiry(csrf_token="forged"))
    assert response.status_code == 400


@pytest.mark.parametrize("overrides", [{}, {"mobile": "not a phone", "company": ""}, {"website": "x" * 500}])
def test_honeypot_filled_stores_nothing_but_looks_normal(client, unchanged, overrides):
    with unchanged():
        response = client.post("/enquiry", data=valid_enquiry(**{"website": "http://cheap-pills.example", **overrides}))
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/enquiry/thanks")
        thanks = client.get("/enquiry/thanks")
    assert thanks.status_code == 200
    assert not REFERENCE.search(thanks.get_data(as_text=True))


def test_thanks_page_without_an_enquiry_is_still_polite(client):
    response = client.get("/enquiry/thanks")
    assert response.status_code == 200
    assert not REFERENCE.search(response.get_data(as_text=True))


# --- validation: 400, a message next to the field, typed values kept, nothing stored --------------------

HUGE = "长" * 100_000

INVALID = [
    # missing required fields
    *[pytest.param({name: None}, name, id=f"missing-{name}") for name in REQUIRED],
    *[pytest.param({name: "   "}, name, id=f"blank-{name}") for name in ("use", "company", "contact_name", "mobile",
                                                                          "expected_tax")],
    # unknown need
    pytest.param({"need": "boat"}, "need", id="need-unknown"),
    pytest.param({"need": "LAND"}, "need", id="need-wrong-case"),
    pytest.param({"need": "land'; DROP TABLE lead;--"}, "need", id="need-sql"),
    pytest.param({"industry": "no-such-chain"}, "industry", id="industry-unknown"),
    # amounts
    pytest.param({"expected_tax": "-1"}, "expected_tax", id="tax-negative"),
    pytest.param({"expected_tax": "-0.01"}, "expected_tax", id="tax-slightly-negative"),
    pytest.param({"expected_tax": "10000001"}, "expected_tax", id="tax-huge"),
    pytest.param({"expected_tax": "1e400"}, "expected_tax", id="tax-exponent"),
    pytest.param({"expected_tax": "9" * 60}, "expected_tax", id="tax-60-digits"),
    pytest.param({"expected_tax": "abc"}, "expected_tax", id="tax-text"),
    pytest.param({"expected_tax": "五百"}, "expected_tax", id="tax-chinese-numerals"),
    pytest.param({"expected_tax": "NaN"}, "expected_tax", id="tax-nan"),
    pytest.param({"expected_tax": "sNaN"}, "expected_tax", id="tax-snan"),
    pytest.param({"expected_tax": "Infinity"}, "expected_tax", id="tax-infinity"),
    pytest.param({"expected_tax": "-Infinity"}, "expected_tax", id="tax-minus-infinity"),
    pytest.param({"expected_tax": "12.5万"}, "expected_tax", id="tax-with-unit"),
    pytest.param({"investment": "-5"}, "investment", id="investment-negative"),
    pytest.param({"investment": "1e12"}, "investment", id="investment-huge"),
    pytest.param({"investment": "Infinity"}, "investment", id="investment-infinity"),
    pytest.param({"investment": "0x10"}, "investment", id="investment-hex"),
    pytest.param({"area": "-3"}, "area", id="area-negative"),
    pytest.param({"area": "nan"}, "area", id="area-nan"),
    pytest.param({"area": "99999999999"}, "area", id="area-huge"),
    pytest.param({"need": "land", "area": "200000"}, "area", id="area-land-beyond-mu-ceiling"),
    pytest.param({"area": "1" + "0" * 5000}, "area", id="area-5000-digits"),
    # mobiles
    pytest.param({"mobile": "0731-12345678"}, "mobile", id="mobile-landline"),
    pytest.param({"mobile": "0731 2288 6677"}, "mobile", id="mobile-landline-spaces"),
    pytest.param({"mobile": "1380731"}, "mobile", id="mobile-too-short"),
    pytest.param({"mobile": "138073123456789"}, "mobile", id="mobile-too-long"),
    pytest.param({"mobile": "138abcd2345"}, "mobile", id="mobile-letters"),
    pytest.param({"mobile": "+49 12"}, "mobile", id="mobile-intl-too-short"),
    pytest.param({"mobile": "+999 1234567"}, "mobile", id="mobile-no-such-country"),
    pytest.param({"mobile": "+86 10 12345678"}, "mobile", id="mobile-beijing-landline"),
    pytest.param({"mobile": "12345678901"}, "mobile", id="mobile-no-such-prefix"),
    pytest.param({"mobile": "<script>"}, "mobile", id="mobile-markup"),
    # email
    pytest.param({"email": "not-an-email"}, "email", id="email-invalid"),
    pytest.param({"email": "a@b@c.cn"}, "email", id="email-two-ats"),
    # huge strings (100 KB)
    *[pytest.param({name: HUGE}, name, id=f"huge-{name}") for name in ("use", "company", "contact_name", "mobile",
                                                                        "email", "message")],
    # consent must be given
    pytest.param({"consent": ""}, "consent", id="consent-empty"),
    pytest.param({"consent": "false"}, "consent", id="consent-false"),
]


@pytest.mark.parametrize(("overrides", "field"), INVALID)
def test_invalid_enquiry_is_refused_next_to_the_field(client, unchanged, overrides, field):
    data = valid_enquiry(**overrides)
    with unchanged():
        response = client.post("/enquiry", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    block = _field_block(html, field)
    assert "invalid-feedback" in block, f"no message next to {field}"
    assert "is-invalid" in block
    assert field_errors(block)[0].strip()
    # What was typed in the other fields is still there.
    assert 'value="湖南星驰动力科技有限公司"' in html or field == "company"
    assert "计划明年一季度开工" in html or field == "message"


@pytest.mark.parametrize(("field", "typed"), [
    ("expected_tax", "abc"), ("area", "-3"), ("investment", "Infinity"), ("company", "星驰&lt;动力&gt;"),
    ("email", "not-an-email"), ("contact_name", "王建国"), ("use", "电机生产"),
])
def test_typed_values_are_kept_on_error(client, field, typed):
    raw = typed.replace("&lt;", "<").replace("&gt;", ">")
    data = valid_enquiry(**{field: raw, "mobile": "0731-12345678"})
    html = client.post("/enquiry", data=data).get_data(as_text=True)
    assert f'value="{typed}"' in _field_block(html, field)


def test_message_is_kept_on_error(client):
    html = client.post("/enquiry", data=valid_enquiry(mobile="", message="请回电话\n谢谢")).get_data(as_text=True)
    assert "请回电话\n谢谢" in _field_block(html, "message")


def test_a_field_error_is_translated(client):
    html = client.post("/enquiry", data=valid_enquiry(mobile="0731-12345678"),
                       headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Enter a valid mobile number" in _field_block(html, "mobile")


def test_several_errors_are_shown_at_once(client, unchanged):
    with unchanged():
        response = client.post("/enquiry", data=valid_enquiry(company="", mobile="123", expected_tax="-1",
                                                              consent=None))
    html = response.get_data(as_text=True)
    for name in ("company", "mobile", "expected_tax", "consent"):
        assert "invalid-feedback" in _field_block(html, name), name


def test_an_invalid_amount_gets_one_clear_message(client):
    html = client.post("/enquiry", data=valid_enquiry(expected_tax="abc")).get_data(as_text=True)
    assert len(field_errors(_field_block(html, "expected_tax"))) == 1


# --- hostile text -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["company", "contact_name", "use", "message", "mobile", "email", "need",
                                   "expected_tax", "area", "industry"])
@pytest.mark.parametrize("poison", ["\x00", "\x01\x02\x1b[31m", "\x7f", "\ufeff", "\u202e"])
def test_control_characters_never_reach_the_database(client, db, field, poison):
    """NUL in a text column is an error on PostgreSQL: it must be stripped or refused, never a 500."""
    data = valid_enquiry()
    data[field] = data.get(field, "")[:2] + poison + data.get(field, "")[2:]
    before = table_counts()["lead"]
    response = client.post("/enquiry", data=data)
    assert response.status_code in (303, 400), response.status_code
    leads = _leads(db)
    if response.status_code == 400:
        assert len(leads) == before
        return
    [lead] = leads
    for column in ("company_name", "contact_name", "intended_use", "message", "mobile", "email"):
        value = getattr(lead, column) or ""
        assert "\x00" not in value and "\x1b" not in value and "\x7f" not in value


def test_only_nul_bytes_count_as_missing(client, unchanged):
    with unchanged():
        response = client.post("/enquiry", data=valid_enquiry(company="\x00\x00", contact_name="\x00"))
    assert response.status_code == 400


def test_markup_is_stored_as_typed_and_shown_escaped_to_officers(client, db, login):
    script = "<script>alert(1)</script>"
    response = client.post("/enquiry", data=valid_enquiry(company=f"{script}星驰有限公司",
                                                          message=f"<b>你好</b>{script}<img src=x onerror=alert(2)>"))
    assert response.status_code == 303
    [lead] = _leads(db)
    assert lead.company_name == f"{script}星驰有限公司"
    assert script in lead.message

    status = client.get(f"/enquiry/status/{lead.status_token}").get_data(as_text=True)
    assert script not in status and "&lt;script&gt;alert(1)&lt;/script&gt;" in status

    login(make_user("officer"))
    page = client.get(f"/leads/{lead.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert script not in html
    assert "<img src=x" not in html and "<b>你好</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


@pytest.mark.parametrize("data", [
    {"need": ["land", "office"]},             # a field sent twice: the first value counts
    {"expected_tax": ["1200", "abc"]},
    {"consent": ["y", "y"]},
    {"unexpected": "field", "owner_id": "1", "stage": "signed", "source": "hotline"},
])
def test_extra_and_repeated_fields_do_no_harm(client, db, data):
    response = client.post("/enquiry", data=valid_enquiry(**data))
    assert response.status_code == 303
    [lead] = _leads(db)
    assert (lead.stage, lead.source, lead.owner_id) == ("enquiry", "web_form", None)


def test_json_body_to_the_form_is_refused(client, unchanged):
    with unchanged():
        response = client.post("/enquiry", json=valid_enquiry())
    assert response.status_code == 400


def test_non_utf8_bytes_do_not_break_the_form(client, db):
    token = client.csrf_token()
    body = ("csrf_token=" + token + "&need=land&use=%FF%FE&expected_tax=1&company=%C3%28&contact_name=x"
            "&mobile=13807312345&consent=y")
    response = client.post("/enquiry", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (303, 400)


# --- property-based: whatever arrives, never a 5xx --------------------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
_number_text = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    _text,
)
_hypothesis = settings(max_examples=60, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@_hypothesis
@given(company=_text, contact_name=_text, use=_text, message=_text, mobile=_text, email=_text,
       need=st.one_of(st.sampled_from(["land", "investment", "factory_rental", "office"]), _text))
def test_arbitrary_text_never_causes_a_server_error(client, company, contact_name, use, message, mobile, email,
                                                    need):
    data = valid_enquiry(company=company, contact_name=contact_name, use=use, message=message, mobile=mobile,
                         email=email, need=need)
    response = client.post("/enquiry", data=data)
    assert response.status_code in (303, 400), response.status_code


@_hypothesis
@given(expected_tax=_number_text, area=_number_text, investment=_number_text,
       need=st.sampled_from(["land", "investment", "factory_rental", "office"]))
def test_arbitrary_numbers_never_cause_a_server_error(client, db, expected_tax, area, investment, need):
    data = valid_enquiry(expected_tax=expected_tax, area=area, investment=investment, need=need)
    response = client.post("/enquiry", data=data)
    assert response.status_code in (303, 400), response.status_code
    if response.status_code == 303:
        lead = db.session.scalars(select(Lead).order_by(Lead.id.desc())).first()
        for value in (lead.expected_tax_wan, lead.land_mu, lead.floor_area_m2, lead.planned_investment_wan):
            assert value is None or value >= 0


@pytest.mark.parametrize("company", ["ﷺ" * 200, "㍿" * 200, "Ⅻ" * 200])
def test_company_names_that_grow_when_normalised_are_stored(client, db, company):
    """NFKC turns one ﷺ into 18 letters: the search key must still fit its column (PostgreSQL enforces it)."""
    response = client.post("/enquiry", data=valid_enquiry(company=company))
    assert response.status_code == 303
    [lead] = _leads(db)
    assert lead.company_name == company
    assert len(lead.company_key) <= 200
