"""Forms for sites: the site itself, a reservation, a status change, an import."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from crm.core.forms import AmountField, BaseForm, CodeSelectField
from crm.sites.services import EDITABLE_FIELDS, MANUAL_STATUSES
from crm.sites.vocabulary import SITE_KINDS, SITE_STATUSES


class SiteForm(BaseForm):
    version = HiddenField()
    code = StringField(_l("Site code"), validators=[DataRequired(_l("Enter the site code.")), Length(max=40)])
    name = StringField(_l("Site name"), validators=[Optional(), Length(max=200)])
    kind = CodeSelectField(_l("Site kind"), choices=[])
    park = StringField(_l("Park / area"), validators=[DataRequired(_l("Enter the park or area.")),
                                                       Length(max=100)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    area_m2 = AmountField(_l("Floor area (m²)"), maximum=10000000)
    land_mu = AmountField(_l("Land (mu)"), maximum=100000)
    floors = IntegerField(_l("Floors"), validators=[Optional(), NumberRange(min=0, max=200)])
    ceiling_height_m = AmountField(_l("Ceiling height (m)"), maximum=100)
    floor_load_t_m2 = AmountField(_l("Floor load (t/m²)"), maximum=100)
    power_kva = IntegerField(_l("Power (kVA)"), validators=[Optional(), NumberRange(min=0, max=10000000)])
    rent_yuan_m2_month = AmountField(_l("Rent (yuan/m²/month)"), maximum=100000)
    price_wan = AmountField(_l("Price (10k yuan)"))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = SITE_KINDS.choices()  # labels in the reader's language, so built per request

    def site_values(self) -> dict:
        values = {}
        for name in EDITABLE_FIELDS:
            value = getattr(self, name).data
            values[name] = None if value == "" else value
        return values


class ReserveForm(BaseForm):
    lead_id = IntegerField(validators=[DataRequired()])
    until = DateField(_l("Reserved until"), validators=[DataRequired(_l("Choose the date the reservation ends."))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])


class ReleaseForm(BaseForm):
    note = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


class StatusForm(BaseForm):
    status = CodeSelectField(_l("Site status"), choices=[])
    note = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [(s, SITE_STATUSES.label(s)) for s in MANUAL_STATUSES]


class ImportForm(BaseForm):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired(_l("Choose a file to upload."))])
