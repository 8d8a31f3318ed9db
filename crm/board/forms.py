"""The board's small forms: the stage a card moves to, and what a stage gate still needs."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from crm.core.formatting import local_today
from crm.core.forms import AmountField, BaseForm
from crm.core.vocabulary import STAGES

# Lead kinds whose "area" is land (mu); the others need floor space (m²).
LAND_KINDS = ("land", "investment")


class GateForm(BaseForm):
    """Everything a gate can ask for; `for_needs` keeps only the fields this move lacks."""

    stage = SelectField(_l("Stage"), choices=[(code, code) for code in STAGES],
                        validators=[InputRequired(message=_l("Choose a stage."))])
    owner_id = SelectField(_l("Owner"), coerce=str, validate_choice=True,
                           validators=[InputRequired(message=_l("Choose an owner."))])
    take = BooleanField(_l("I will take this lead"), validators=[InputRequired(
        message=_l("Tick the box to take the lead, or ask a manager to assign it."))])
    visit_on = DateField(_l("Visit date"), validators=[InputRequired(message=_l("Enter the date of the visit."))])
    visit_outcome = TextAreaField(_l("What happened on the visit"), validators=[
        InputRequired(message=_l("Say briefly how the visit went.")), Length(max=2000)])
    planned_investment_wan = AmountField(_l("Planned investment (10k yuan)"),
                                         validators=[InputRequired(message=_l("Enter the planned investment."))])
    land_mu = AmountField(_l("Land (mu)"), validators=[InputRequired(message=_l("Enter the land area."))])
    floor_area_m2 = AmountField(_l("Floor area (m²)"),
                                validators=[InputRequired(message=_l("Enter the floor area."))])
    expected_tax_wan = AmountField(_l("Expected annual tax (10k yuan)"),
                                   validators=[InputRequired(message=_l("Enter the expected annual tax."))])
    lost_reason = StringField(_l("Why was the lead lost?"), validators=[
        InputRequired(message=_l("Give a reason.")), Length(max=500)])

    @classmethod
    def for_needs(cls, missing, lead, *, user, owners=(), **kwargs) -> "GateForm":
        """A form with only the fields that answer `missing` (codes from PipelineError.missing)."""
        form = cls(**kwargs)
        keep = {"stage"}
        if "owner_id" in missing:
            if user.is_manager:
                keep.add("owner_id")
                form.owner_id.choices = [("", "—")] + [(str(u.id), u.name) for u in owners]
            else:
                keep.add("take")
        if "visit" in missing:
            keep |= {"visit_on", "visit_outcome"}
            if kwargs.get("formdata") is None and form.visit_on.data is None:
                form.visit_on.data = local_today()
        for name in ("planned_investment_wan", "expected_tax_wan", "lost_reason"):
            if name in missing:
                keep.add(name)
        if "area" in missing:
            keep.add("land_mu" if lead.kind in LAND_KINDS else "floor_area_m2")
        for name in [f.name for f in form if f.name not in keep and f.name != "csrf_token"]:
            delattr(form, name)
        return form

    def validate_visit_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_l("The visit cannot be in the future."))

    def visible_fields(self):
        return [f for f in self if f.name not in ("stage", "csrf_token")]

    def value(self, name: str):
        """The data of a field this form kept, else None (a removed field is None on a WTForms form)."""
        field = self._fields.get(name)
        return field.data if field is not None else None

    def figures(self) -> dict:
        """The lead fields the gate asked for, ready for move_lead(figures=...)."""
        return {name: self._fields[name].data for name in (
            "planned_investment_wan", "land_mu", "floor_area_m2", "expected_tax_wan") if name in self._fields}
