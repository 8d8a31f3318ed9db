"""The investor's enquiry: one form for the public page and the partner API, so both validate alike."""

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, StopValidation, ValidationError

from crm.core.forms import AmountField, BaseForm, CodeSelectField
from crm.core.vocabulary import LEAD_KINDS
from crm.leads.forms import validate_mobile_field
from crm.privacy.consent import ConsentVersionField, current_label

# Needs whose area is land (亩); the others ask for floor space (m²).
AREA_IN_MU = ("land", "investment")
# The same ceilings as the lead form, so an enquiry never holds a value an officer could not save again.
MAX_LAND_MU = 100000
MAX_FLOOR_AREA_M2 = 10000000


class AmountRequired:
    """Like DataRequired, but 0 is an amount; a typo keeps only its own "enter a number" message."""

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data is None:
            raise StopValidation(None if field.process_errors else self.message)


class EnquiryForm(BaseForm):
    need = CodeSelectField(_l("Need / 需求"), choices=LEAD_KINDS.choices(blank=_l("Choose…")),
                           validators=[DataRequired(_l("Choose what you need."))])
    use = StringField(_l("Intended use / 用途"), validators=[DataRequired(_l("Say what the site is for.")),
                                                            Length(max=500)])
    expected_tax = AmountField(_l("Expected annual tax (10k yuan) / 预计年税收（万元）"),
                               validators=[AmountRequired(_l("Enter the expected annual tax."))], maximum=10000000)
    company = StringField(_l("Company / 公司"), validators=[DataRequired(_l("Enter your company name.")),
                                                          Length(max=200)])
    contact_name = StringField(_l("Contact person / 联系人"),
                               validators=[DataRequired(_l("Enter a contact person.")), Length(max=100)])
    mobile = StringField(_l("Mobile / 手机号"), validators=[DataRequired(_l("Enter a mobile number.")),
                                                          Length(max=30), validate_mobile_field])
    email = StringField(_l("Email / 邮箱"), validators=[Optional(), Length(max=254),
                                                       Email(_l("Enter a valid email address."))])
    industry = CodeSelectField(_l("Industry / 产业"), choices=[("", "—")], validators=[Optional()])
    area = AmountField(_l("Area (m², or mu for land) / 面积（平方米，土地为亩）"), maximum=MAX_FLOOR_AREA_M2)
    investment = AmountField(_l("Planned investment (10k yuan) / 计划投资（万元）"), maximum=100000000)
    message = TextAreaField(_l("Message / 留言"), validators=[Optional(), Length(max=5000)])
    # The wording is versioned (crm/privacy/consent.py); the lead stores the version the form showed.
    consent = BooleanField(LazyString(current_label),
                           validators=[DataRequired(_l("Your consent is needed to process the enquiry."))])
    consent_version = ConsentVersionField()
    # Humans never see this field; bots fill every field they find.
    website = StringField(_l("Leave this empty"), validators=[Optional(), Length(max=200)])

    def validate_area(self, field):
        if not field.errors and field.data is not None and self.need.data in AREA_IN_MU \
                and field.data > MAX_LAND_MU:
            shown = f"{MAX_LAND_MU:,}"
            raise ValidationError(_l("Land is counted in mu: enter at most %(max)s mu.", max=shown))

    def set_industries(self, industries, language: str) -> None:
        self.industry.choices = [("", "—")] + [(i.code, i.label(language)) for i in industries]

    @property
    def is_bot(self) -> bool:
        return bool(self.website.data)

    def lead_values(self) -> dict:
        """The enquiry as lead fields."""
        area = self.area.data
        in_mu = self.need.data in AREA_IN_MU
        return {
            "kind": self.need.data,
            "intended_use": self.use.data,
            "expected_tax_wan": self.expected_tax.data,
            "company_name": self.company.data,
            "contact_name": self.contact_name.data,
            "mobile": self.mobile.data,
            "email": self.email.data or None,
            "industry_code": self.industry.data or None,
            "land_mu": area if in_mu else None,
            "floor_area_m2": None if in_mu else area,
            "planned_investment_wan": self.investment.data,
            "message": self.message.data or None,
            "consent": bool(self.consent.data),
            "consent_version": self.consent_version.data if self.consent.data else None,
        }


class JsonShapeError(ValueError):
    """A JSON body whose values are not plain text or numbers."""

    def __init__(self, fields: dict):
        super().__init__("bad JSON shape")
        self.fields = fields


def formdata_from_json(payload) -> MultiDict:
    """Turn a JSON object into form data, refusing nested values instead of guessing at them."""
    if not isinstance(payload, dict):
        raise JsonShapeError({"_": [str(_l("Send a JSON object."))]})
    data, bad = MultiDict(), {}
    for key, value in payload.items():
        if value is None:
            continue
        if isinstance(value, bool):
            data[key] = "y" if value else ""
        elif isinstance(value, str) and not _is_encodable(value):
            bad[key] = [str(_l("Must be valid text."))]
        elif isinstance(value, int | float | str):
            data[key] = str(value)
        else:
            bad[key] = [str(_l("Must be text or a number."))]
    if bad:
        raise JsonShapeError(bad)
    return data


def _is_encodable(text: str) -> bool:
    """False for JSON strings with lone surrogates ("\\ud800"), which no database can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
