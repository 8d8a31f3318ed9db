"""Property-based (issue 7): the enquiry validator itself, fed arbitrary text and numbers with no request.

The form is what both the public page and the partner API trust; tests/public/test_public_enquiry.py and
tests/api/test_api_enquiries.py fuzz it through HTTP. Here it gets what HTTP never delivers intact (every
Unicode category, huge exponents, full-width digits, unknown fields, repeated values), and whatever it
accepts must be storable: lead values within their columns, and a lead the database takes.
"""

from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from crm.core.forms import clean_text
from crm.core.vocabulary import LEAD_KINDS
from crm.leads import services
from crm.leads.enquiry import AREA_IN_MU, MAX_FLOOR_AREA_M2, MAX_LAND_MU, EnquiryForm
from crm.privacy import consent

FIELDS = ("need", "use", "expected_tax", "company", "contact_name", "mobile", "email", "industry", "area",
          "investment", "message", "consent", "consent_version", "website")
VALID = {"need": "land", "use": "新能源汽车电机控制器生产基地", "expected_tax": "1200", "company": "湖南星驰动力科技有限公司",
         "contact_name": "王建国", "mobile": "13807312345", "consent": "y"}
LIMITS = {"use": 500, "company": 200, "contact_name": 100, "email": 254, "message": 5000}

# What form decoding can hand over: any text but lone surrogates (werkzeug replaces undecodable bytes).
_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
_numbers = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.integers(min_value=-10**40, max_value=10**40).map(str),
    st.integers(min_value=0, max_value=10**9).map(lambda n: f"{n:,}"),
    st.integers(min_value=0, max_value=10**6).map(lambda n: str(n).translate(str.maketrans("0123456789",
                                                                                             "０１２３４５６７８９"))),
    st.sampled_from(["1e400", "-0", "0.005", "1_000", " 12 ", "١٢٣", "NaN", "-Infinity", "12,,3", "，"]),
    _text,
)
# Amounts a person would type, at the edges of what the form allows.
_amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False).map(str)
_hypothesis = settings(max_examples=60, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _validated(data: MultiDict) -> tuple[EnquiryForm, bool]:
    form = EnquiryForm(formdata=data, meta={"csrf": False})
    form.set_industries([], "zh")
    valid = form.validate()
    for name, messages in form.errors.items():  # every message renders as text, in the reader's language
        assert name in FIELDS and all(str(message) for message in messages)
    return form, valid


def _check_storable(values: dict) -> None:
    assert values["kind"] in LEAD_KINDS.codes
    assert values["consent"] is True and values["consent_version"] in consent.TEXTS
    for field, limit in (("intended_use", 500), ("company_name", 200), ("contact_name", 100), ("email", 254),
                         ("message", 5000)):
        assert values[field] is None or len(values[field]) <= limit
    assert values["company_name"].strip() and values["contact_name"].strip() and values["mobile"]
    for field in ("expected_tax_wan", "planned_investment_wan", "land_mu", "floor_area_m2"):
        amount = values[field]
        assert amount is None or (isinstance(amount, Decimal) and amount.is_finite() and amount >= 0
                                  and amount == amount.quantize(Decimal("0.01")))
    assert values["land_mu"] is None or values["land_mu"] <= MAX_LAND_MU
    assert values["floor_area_m2"] is None or values["floor_area_m2"] <= MAX_FLOOR_AREA_M2


@_hypothesis
@given(fields=st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=20), _text | st.lists(_text, max_size=3),
                              max_size=len(FIELDS) + 3))
def test_any_text_in_any_field_is_judged_never_raised(app, fields):
    data = MultiDict()
    for key, value in fields.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    with app.app_context():
        form, valid = _validated(data)
        if valid:
            _check_storable(form.lead_values())


@_hypothesis
@given(overrides=st.dictionaries(st.sampled_from(["use", "company", "contact_name", "mobile", "email", "message"]),
                                 _text, min_size=1, max_size=6))
def test_text_around_a_valid_enquiry_is_accepted_or_refused_cleanly(app, overrides):
    with app.app_context():
        form, valid = _validated(MultiDict({**VALID, **overrides}))
        for name, value in overrides.items():
            if len(clean_text(value)) > LIMITS.get(name, 10**6):
                assert not valid, name
        if valid:
            _check_storable(form.lead_values())


@_hypothesis
@given(need=st.sampled_from(LEAD_KINDS.codes), expected_tax=_numbers, area=_numbers, investment=_numbers)
def test_any_number_text_becomes_a_bounded_amount_or_a_message(app, need, expected_tax, area, investment):
    with app.app_context():
        form, valid = _validated(MultiDict({**VALID, "need": need, "expected_tax": expected_tax, "area": area,
                                            "investment": investment}))
        if not valid:
            assert set(form.errors) <= {"expected_tax", "area", "investment"}
            return
        values = form.lead_values()
        _check_storable(values)
        in_mu = need in AREA_IN_MU
        assert (values["land_mu"] is None) or in_mu
        assert (values["floor_area_m2"] is None) or not in_mu


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(company=_text, contact_name=_text, message=_text, use=_text, tax=_amounts, area=_amounts)
def test_whatever_the_validator_accepts_the_database_stores(db, company, contact_name, message, use, tax, area):
    """PostgreSQL enforces column lengths and rejects NUL: an accepted enquiry must never fail on insert."""
    form, valid = _validated(MultiDict({**VALID, "company": company, "contact_name": contact_name,
                                        "message": message, "use": use, "expected_tax": tax, "area": area}))
    assume(valid)
    try:
        lead = services.create_lead(form.lead_values(), by=None, source="web_form")
        db.session.flush()
        assert lead.id and len(lead.company_key) <= 200
    finally:
        db.session.rollback()
