"""Checking a staged row exactly as the officer's lead form checks what is typed into it.

Each row's mapped cells become the form's data (coded values such as "租赁标准厂房" or "Expo" first turned
into their codes), the form validates them, and its errors become the row's errors, named by field.
One form is built and refilled for every row: building 10,000 forms would cost more than checking them.
"""

import json
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from crm.auth.models import User
from crm.core import spreadsheets as sheets
from crm.extensions import db
from crm.imports import fields
from crm.leads.forms import LeadForm
from crm.leads.industries import active_choices

DECIMAL_FIELDS = ("land_mu", "floor_area_m2", "budget_wan", "planned_investment_wan", "expected_output_wan",
                  "expected_tax_wan")
CODED_FIELDS = ("kind", "source", "priority", "industry_code")
ALWAYS_CHECKED = ("kind", "source", "company_name", "contact_name", "priority")
_as_date = sheets.date_value()


def encode(values: dict) -> str:
    """A row's lead values as JSON (amounts as exact text, dates as ISO)."""
    plain = {}
    for key, value in values.items():
        if isinstance(value, Decimal):
            value = format(value, "f")
        elif isinstance(value, date):
            value = value.isoformat()
        plain[key] = value
    return json.dumps(plain, ensure_ascii=False)


def decode(text: str) -> dict:
    """The lead values `encode` stored, with their Python types back."""
    values = json.loads(text)
    for key in DECIMAL_FIELDS:
        if values.get(key) is not None:
            values[key] = Decimal(values[key])
    if values.get("next_action_due"):
        values["next_action_due"] = date.fromisoformat(values["next_action_due"])
    return values


class RowChecker:
    """Validates rows of one import with LeadForm. Build it inside an app context (labels translate)."""

    def __init__(self, mapping: dict[str, int], defaults: dict, *, by: User, language: str):
        self.mapping = {key: index for key, index in mapping.items() if key in fields.BY_KEY}
        self.defaults = defaults
        self.by = by
        industries = active_choices()
        blank = LeadForm(formdata=MultiDict(), meta={"csrf": False})
        blank.set_industries(industries, language)
        self.blank_values = blank.lead_values()  # what lead_values() gives for fields the file leaves empty
        # Fields no column fills stay empty in every row, and an empty field passes its (Optional) checks:
        # the form keeps only the others, which makes checking 10,000 rows about twice as fast.
        self.form = LeadForm(formdata=None, meta={"csrf": False})
        self.form.set_industries(industries, language)
        kept = set(self.mapping) | set(ALWAYS_CHECKED)
        for name in [name for name in self.form._fields if name not in kept]:
            del self.form[name]
        self.spellings = fields.vocabularies()
        self.spellings["industry_code"] = {
            sheets.normalise_header(text): i.code for i in industries for text in (i.code, i.name_zh, i.name_en)}
        self.labels = {key: str(fields.BY_KEY[key].label) for key in self.mapping}
        self.users = self._users() if "owner" in self.mapping and by.is_manager else {}

    @staticmethod
    def _users() -> dict[str, int]:
        """Active users by folded email and by name, for an owner column."""
        users = {}
        for user_id, email, name in db.session.execute(
                select(User.id, User.email, User.name).where(User.active.is_(True))):
            users.setdefault(sheets.normalise_header(name), user_id)
            users[email.casefold().strip()] = user_id
        return users

    def check(self, cells: list[str]) -> tuple[dict | None, list[list[str]]]:
        """(lead values, []) for a good row, (None, [[field label, message], ...]) for a bad one."""
        raw = {key: (cells[index] if index < len(cells) else "") for key, index in self.mapping.items()}
        formdata = MultiDict()
        for key, text in raw.items():
            if not text or key == "owner":
                continue
            if key in self.spellings:
                text = self.spellings[key].get(sheets.normalise_header(text), text)
            elif key == "next_action_due":
                try:
                    text = _as_date(text).isoformat()
                except sheets.CellError:
                    pass  # the form's date field words the error
            formdata[key] = text
        for key in ("kind", "source"):
            if key not in formdata and self.defaults.get(key):
                formdata[key] = self.defaults[key]
        form = self.form
        form.process(formdata)
        errors = []
        if not form.validate():
            for key, messages in form.errors.items():
                label = str(form[key].label.text) if key in form else ""
                for message in messages:
                    text = str(message)
                    if key in CODED_FIELDS and raw.get(key):
                        text = f"{text} (“{raw[key][:40]}”)"
                    errors.append([label, text])
        owner_id = self._owner(raw.get("owner", ""), errors)
        if errors:
            return None, errors
        values = dict(self.blank_values)
        for field in form:  # as LeadForm.lead_values() reads them
            values[field.name] = None if field.data == "" else field.data
        values["priority"] = int(values.get("priority") or 2)
        if self.by.is_manager:
            values["owner_id"] = owner_id
        return values, []

    def _owner(self, text: str, errors: list) -> int | None:
        if not self.by.is_manager:
            return None
        if not text:
            default = str(self.defaults.get("owner_id") or "")
            return int(default) if default.isdigit() else None
        owner_id = self.users.get(text.casefold().strip()) or self.users.get(sheets.normalise_header(text))
        if owner_id is None:
            errors.append([str(fields.OWNER_LABEL),
                           _("“%(value)s” is not an active user (write their email or name).", value=text[:60])])
        return owner_id
