"""Template globals that show a lead's personal details as the reader may see them (crm.privacy.visibility).

    {{ lead_company(lead) }}  {{ lead_contact(lead) }}  {{ lead_mobile(lead) }}  {{ lead_email(lead) }}
    {{ lead_field(lead, event.field, event.new_value) }}  {{ lead_outcome(lead, activity) }}

The reader is the signed-in user unless given (`lead_company(lead, reader)`: PDFs name their reader).
Globals, not context variables, so imported macros (board cards) can call them too.
"""

from flask_login import current_user

from crm.privacy import visibility


def _reader(user):
    return current_user if user is None else user


def register(app) -> None:
    app.jinja_env.globals.update(
        lead_company=lambda lead, user=None: visibility.visible_company(_reader(user), lead),
        lead_contact=lambda lead, user=None: visibility.visible_contact(_reader(user), lead),
        lead_mobile=lambda lead, user=None: visibility.visible_mobile(_reader(user), lead),
        lead_email=lambda lead, user=None: visibility.visible_email(_reader(user), lead),
        lead_credit_code=lambda lead, user=None: visibility.visible_credit_code(_reader(user), lead),
        lead_message=lambda lead, user=None: visibility.visible_message(_reader(user), lead),
        lead_outcome=lambda lead, activity, user=None: visibility.visible_outcome(_reader(user), lead, activity),
        lead_field=lambda lead, field, value, user=None: visibility.visible_audited(_reader(user), lead, field,
                                                                                     value),
        lead_is_masked=lambda lead, user=None: visibility.is_masked(_reader(user), lead),
        lead_sees_identity=lambda lead, user=None: visibility.sees_identity(_reader(user), lead),
    )
