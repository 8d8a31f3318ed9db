"""Forms on the project pages: the project, a milestone, capital in place, a problem and its follow-up."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from crm.core.forms import AmountField, BaseForm, CodeSelectField
from crm.leads.forms import validate_credit_code_field
from crm.projects.services import EDITABLE_FIELDS
from crm.projects.vocabulary import PROBLEM_CATEGORIES, PROBLEM_STATUSES


class ProjectForm(BaseForm):
    version = HiddenField()
    name = StringField(_l("Project name"), validators=[DataRequired(_l("Enter the project name.")),
                                                      Length(max=200)])
    company_name = StringField(_l("Investor company"), validators=[
        DataRequired(_l("Enter the investor company.")), Length(max=200)])
    credit_code = StringField(_l("Unified social credit code"),
                              validators=[Optional(), Length(max=30), validate_credit_code_field])
    industry_code = CodeSelectField(_l("Industry chain"), choices=[], validators=[Optional()])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=500)])
    investment_wan = AmountField(_l("Committed investment (10k yuan)"))
    land_mu = AmountField(_l("Land (mu)"), maximum=100000)
    floor_area_m2 = AmountField(_l("Floor area (m²)"), maximum=10000000)
    promised_tax_wan = AmountField(_l("Promised annual tax (10k yuan)"))
    expected_output_wan = AmountField(_l("Expected annual output (10k yuan)"))
    jobs = IntegerField(_l("Jobs"), validators=[Optional(), NumberRange(min=0, max=1000000)])
    talents = IntegerField(_l("Key talents introduced"), validators=[Optional(), NumberRange(min=0, max=100000)])
    is_key = BooleanField(_l("Key project"))
    is_four_new = BooleanField(_l("Four new"))
    is_500_strong = BooleanField(_l("500 strong"))
    sponsoring_leader = StringField(_l("Sponsoring leader"), validators=[Optional(), Length(max=100)])
    owner_id = CodeSelectField(_l("Owner"), choices=[], validators=[Optional()])

    def set_choices(self, industries, users, language: str) -> None:
        self.industry_code.choices = [("", "—")] + [(i.code, i.label(language)) for i in industries]
        self.owner_id.choices = [("", "—")] + [(str(u.id), u.name) for u in users]

    def project_values(self, *, manager: bool) -> dict:
        values = {}
        for name in EDITABLE_FIELDS:
            value = getattr(self, name).data
            values[name] = None if value == "" else value
        values["owner_id"] = int(values["owner_id"]) if values.get("owner_id") else None
        values["talents"] = values.get("talents") or 0
        if not manager:  # officers never see these fields, so the form must not clear them
            for name in ("is_key", "is_four_new", "is_500_strong", "sponsoring_leader", "owner_id"):
                values.pop(name, None)
        return values


class MilestoneForm(BaseForm):
    planned_on = DateField(_l("Planned"), validators=[Optional()])
    actual_on = DateField(_l("Actual"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])


class CapitalForm(BaseForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(_l("Enter the year.")), NumberRange(min=2000, max=2100)])
    quarter = CodeSelectField(_l("Quarter"), choices=[("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")])
    amount_wan = AmountField(_l("Capital in place (10k yuan)"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])

    def validate_amount_wan(self, field):
        if field.data is None:
            raise ValidationError(_l("Enter the amount."))


class ProblemForm(BaseForm):
    title = StringField(_l("Problem"), validators=[DataRequired(_l("Describe the problem.")), Length(max=300)])
    category = CodeSelectField(_l("Category"), choices=[])
    department = StringField(_l("Responsible department"), validators=[
        DataRequired(_l("Name the responsible department.")), Length(max=100)])
    responsible = StringField(_l("Responsible person"), validators=[Optional(), Length(max=100)])
    due_on = DateField(_l("Due"), validators=[DataRequired(_l("Set a due date."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = PROBLEM_CATEGORIES.choices()


class ProblemUpdateForm(BaseForm):
    status = CodeSelectField(_l("Problem status"), choices=[])
    follow_up = TextAreaField(_l("Follow-up"), validators=[Optional(), Length(max=2000)])
    due_on = DateField(_l("Due"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = PROBLEM_STATUSES.choices()
