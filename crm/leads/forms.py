"""Forms officers fill in: a lead, an activity, a stage change, an assignment."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from crm.core.forms import AmountField, BaseForm, CodeSelectField
from crm.core.vocabulary import ACTIVITY_KINDS, LEAD_KINDS, LEAD_SOURCES, PRIORITIES, STAGES
from crm.leads.identity import InvalidMobile, is_valid_credit_code, normalise_credit_code, normalise_mobile


def validate_mobile_field(form, field):
    """Accept a mainland mobile or an international number; store it normalised."""
    if not field.data:
        return
    try:
        field.data = normalise_mobile(field.data)
    except InvalidMobile:
        raise ValidationError(_l("Enter a valid mobile number, e.g. 138 1234 5678 or +49 151 2345 6789.")) from None


def validate_credit_code_field(form, field):
    if not field.data:
        return
    code = normalise_credit_code(field.data)
    if not is_valid_credit_code(code):
        raise ValidationError(_l("This is not a valid unified social credit code (18 characters)."))
    field.data = code


class LeadForm(BaseForm):
    version = HiddenField()
    kind = CodeSelectField(_l("Need"), choices=LEAD_KINDS.choices())
    source = CodeSelectField(_l("Source"), choices=LEAD_SOURCES.choices())
    company_name = StringField(_l("Company"), validators=[DataRequired(_l("Enter the company name.")),
                                                          Length(max=200)])
    credit_code = StringField(_l("Unified social credit code"),
                              validators=[Optional(), Length(max=30), validate_credit_code_field])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(_l("Enter a contact person.")),
                                                                 Length(max=100)])
    mobile = StringField(_l("Mobile"), validators=[Optional(), Length(max=30), validate_mobile_field])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254),
                                                 Email(_l("Enter a valid email address."))])
    industry_code = CodeSelectField(_l("Industry chain"), choices=[], validators=[Optional()])
    intended_use = StringField(_l("Intended use"), validators=[Optional(), Length(max=500)])
    land_mu = AmountField(_l("Land (mu)"), maximum=100000)
    floor_area_m2 = AmountField(_l("Floor area (m²)"), maximum=10000000)
    budget_wan = AmountField(_l("Budget (10k yuan)"))
    timing = StringField(_l("Timing"), validators=[Optional(), Length(max=100)])
    planned_investment_wan = AmountField(_l("Planned investment (10k yuan)"))
    expected_output_wan = AmountField(_l("Expected annual output (10k yuan)"))
    expected_tax_wan = AmountField(_l("Expected annual tax (10k yuan)"))
    jobs = IntegerField(_l("Jobs"), validators=[Optional(), NumberRange(min=0, max=1000000)])
    sponsoring_leader = StringField(_l("Sponsoring leader"), validators=[Optional(), Length(max=100)])
    priority = CodeSelectField(_l("Priority"), choices=PRIORITIES.choices(), default="2")
    is_key = BooleanField(_l("Key lead"))
    next_action = StringField(_l("Next action"), validators=[Optional(), Length(max=300)])
    next_action_due = DateField(_l("Next action due"), validators=[Optional()])
    message = TextAreaField(_l("Notes from the investor"), validators=[Optional(), Length(max=5000)])

    def set_industries(self, industries, language: str) -> None:
        self.industry_code.choices = [("", "—")] + [(i.code, i.label(language)) for i in industries]

    def lead_values(self) -> dict:
        """The form's values as lead fields (blank text stored as None)."""
        values = {}
        for name in ("kind", "source", "company_name", "credit_code", "contact_name", "mobile", "email",
                     "industry_code", "intended_use", "land_mu", "floor_area_m2", "budget_wan", "timing",
                     "planned_investment_wan", "expected_output_wan", "expected_tax_wan", "jobs",
                     "sponsoring_leader", "is_key", "next_action", "next_action_due", "message"):
            value = getattr(self, name).data
            values[name] = None if value == "" else value
        values["priority"] = int(self.priority.data or 2)
        return values


class ActivityForm(BaseForm):
    kind = CodeSelectField(_l("Kind"), choices=ACTIVITY_KINDS.choices())
    outcome = TextAreaField(_l("Outcome"), validators=[DataRequired(_l("Say what happened.")), Length(max=5000)])
    occurred_on = DateField(_l("Date"), validators=[Optional()])
    next_action = StringField(_l("Next action"), validators=[Optional(), Length(max=300)])
    next_action_due = DateField(_l("Due"), validators=[Optional()])


class StageForm(BaseForm):
    stage = CodeSelectField(_l("Move to stage"), choices=STAGES.choices())
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class AssignForm(BaseForm):
    owner_id = CodeSelectField(_l("Owner"), choices=[])
