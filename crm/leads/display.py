"""How a stored lead value reads on a page: labels for codes, units for figures, yes/no for flags."""

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from crm.core import formatting
from crm.core.vocabulary import LEAD_KINDS, LEAD_SOURCES, PRIORITIES, STAGES

_VOCABULARIES = {"kind": LEAD_KINDS, "source": LEAD_SOURCES, "stage": STAGES, "priority": PRIORITIES}
_MONEY = ("budget_wan", "planned_investment_wan", "expected_output_wan", "expected_tax_wan")


def field_value(field: str | None, value, industries: dict[str, str] | None = None) -> str:
    """`value` (as stored, or as audited text) shown for a person: 'factory_rental' → '租赁标准厂房'."""
    if value is None or value == "":
        return "—"
    if field in _VOCABULARIES:
        return _VOCABULARIES[field].label(str(value))
    if field in ("is_key", "is_confidential"):
        return _("Yes") if str(value) in ("1", "True", "true") else _("No")
    if field == "industry_code":
        return (industries or {}).get(str(value), str(value))
    if field == "mobile":
        return formatting.phone_number(str(value))
    if field in _MONEY or field in ("land_mu", "floor_area_m2"):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        if field == "land_mu":
            return formatting.land_mu(number)
        if field == "floor_area_m2":
            return formatting.area_m2(number)
        return formatting.money_wan(number)
    if field == "next_action_due":
        try:
            return formatting.local_date(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    return str(value)
