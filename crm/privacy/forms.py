"""Forms of the privacy pages: find a person, export or erase their data, mark a lead confidential."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from crm.core.forms import BaseForm, CodeSelectField
from crm.core.vocabulary import Vocabulary

FORMATS = [("json", _l("JSON")), ("xlsx", _l("Excel (.xlsx)"))]


class ExportForm(BaseForm):
    q = StringField(_l("Mobile, email or lead reference"), validators=[DataRequired(), Length(max=254)])
    format = CodeSelectField(_l("Format"), choices=FORMATS, default="json")


class EraseForm(BaseForm):
    q = StringField(_l("Mobile, email or lead reference"), validators=[DataRequired(), Length(max=254)])
    reason = TextAreaField(_l("Why (the request, its date)"), validators=[
        DataRequired(_l("Say why the data are erased (for example: the investor's request of 1 March).")),
        Length(max=500)])
    confirm = BooleanField(_l("I understand that this cannot be undone."), validators=[
        DataRequired(_l("Tick the box to confirm."))])


class ConfidentialForm(BaseForm):
    is_confidential = BooleanField(_l("Confidential: only the owner, the sponsoring leader and managers see who "
                                      "the investor is"))
    codename = StringField(_l("Codename"), validators=[Optional(), Length(max=40)],
                           description=_l("Left empty, one is chosen (项目A-07)."))
    sponsoring_leader_id = CodeSelectField(_l("Sponsoring leader (user)"), choices=[("", "—")],
                                           validators=[Optional()])

# How the person was found (PrivacyEvent.subject starts with one of these codes).
FOUND_BY = Vocabulary("privacy_found_by", [
    ("mobile", _l("Mobile")),
    ("email", _l("Email")),
    ("reference", _l("Lead reference")),
])

ACTIONS = Vocabulary("privacy_action", [
    ("export", _l("Exported")),
    ("erase", _l("Erased")),
    ("confidential", _l("Made confidential")),
    ("not_confidential", _l("Confidentiality lifted")),
])
