from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from crm.core.forms import BaseForm, CodeSelectField

LANGUAGE_CHOICES = [("", _l("Automatic (browser or zone setting)")), ("zh_CN", "中文"), ("en", "English")]


class ProfileForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=100)])
    locale = CodeSelectField(_l("Language"), choices=LANGUAGE_CHOICES, validators=[Optional()])
    is_duty = BooleanField(_l("I am on duty: tell me of every new enquiry"))


class PasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Enter a new password.")),
        Length(min=8, max=200, message=_l("The password must have 8 to 200 characters."))])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(_l("Enter the new password again.")),
        EqualTo("new_password", message=_l("The two new passwords differ."))])


class TokenForm(BaseForm):
    name = StringField(_l("What is it for?"), validators=[DataRequired(_l("Name the token, e.g. the portal using it.")),
                                                       Length(max=100)])
