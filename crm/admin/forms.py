from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from crm.core.forms import BaseForm, CodeSelectField
from crm.core.vocabulary import ROLES


class UserForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter an email.")), Length(max=254),
                                                Email(_l("Enter a valid email address."))])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=100)])
    role = CodeSelectField(_l("Role"), choices=ROLES.choices())
    password = PasswordField(_l("Initial password"), validators=[Optional(), Length(min=8, max=200)])


class RoleForm(BaseForm):
    role = CodeSelectField(_l("Role"), choices=ROLES.choices())
