"""Forms of the dashboard feature: the period filter and the annual targets."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from crm.core.forms import AmountField, BaseForm

MAX_PERIOD_DAYS = 366 * 5


class PeriodForm(BaseForm):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD&stale_days=N: read from the query string, no CSRF (a GET)."""

    class Meta:
        csrf = False

    date_from = DateField(_l("From"), name="from", validators=[Optional()])
    date_to = DateField(_l("To"), name="to", validators=[Optional()])
    stale_days = IntegerField(_l("Stale after (days)"), validators=[Optional(), NumberRange(
        min=1, max=365, message=_l("Enter a whole number of days between 1 and 365."))])

    def validate_date_to(self, field):
        if self.date_from.data and field.data:
            if field.data < self.date_from.data:
                raise ValidationError(_l("The end date must not be before the start date."))
            if (field.data - self.date_from.data).days > MAX_PERIOD_DAYS:
                raise ValidationError(_l("Choose a period of at most five years."))


def _count(label):
    return IntegerField(label, validators=[Optional(), NumberRange(
        min=0, max=1_000_000, message=_l("Enter a whole number between 0 and 1,000,000."))])


class TargetForm(BaseForm):
    """A year's targets; an empty figure means no target for it."""

    year = IntegerField(_l("Year"), validators=[InputRequired(message=_l("Enter the year.")), NumberRange(
        min=2000, max=2100, message=_l("Enter a year between 2000 and 2100."))])
    key_projects = _count(_l("Key projects"))
    key_talents = _count(_l("Key talents"))
    investment_wan = AmountField(_l("Investment (10k yuan)"))
    started_or_completed = _count(_l("Projects started or completed"))
    signed_leads = _count(_l("Signed leads"))

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "key_projects", "key_talents", "investment_wan", "started_or_completed", "signed_leads")}
