"""Forms for tax records: the upload and the name-match decisions."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField
from wtforms.validators import DataRequired, Length

from crm.core.forms import BaseForm


class TaxUploadForm(BaseForm):
    file = FileField(_l("Tax office spreadsheet (.xlsx or .csv)"),
                     validators=[FileRequired(_l("Choose a file to upload."))])


class NameMatchForm(BaseForm):
    taxpayer = HiddenField(validators=[DataRequired(), Length(max=210)])
    project_id = IntegerField(validators=[DataRequired()])
