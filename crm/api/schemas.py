"""How leads look in JSON, and back into form data for validation."""

from decimal import Decimal

from crm.leads.models import Lead

_NUMBERS = ("land_mu", "floor_area_m2", "budget_wan", "planned_investment_wan", "expected_output_wan",
            "expected_tax_wan")


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def lead_json(lead: Lead) -> dict:
    data = {
        "id": lead.id,
        "reference": lead.reference,
        "version": lead.version,
        "stage": lead.stage,
        "kind": lead.kind,
        "source": lead.source,
        "company_name": lead.company_name,
        "credit_code": lead.credit_code,
        "contact_name": lead.contact_name,
        "mobile": lead.mobile,
        "email": lead.email,
        "industry_code": lead.industry_code,
        "intended_use": lead.intended_use,
        "timing": lead.timing,
        "jobs": lead.jobs,
        "owner_id": lead.owner_id,
        "owner": lead.owner.name if lead.owner else None,
        "sponsoring_leader": lead.sponsoring_leader,
        "priority": lead.priority,
        "is_key": lead.is_key,
        "next_action": lead.next_action,
        "next_action_due": lead.next_action_due.isoformat() if lead.next_action_due else None,
        "lost_reason": lead.lost_reason,
        "collides_with_id": lead.collides_with_id,
        "message": lead.message,
        "created_at": lead.created_at.isoformat() + "Z",
        "updated_at": lead.updated_at.isoformat() + "Z",
    }
    for name in _NUMBERS:
        data[name] = _number(getattr(lead, name))
    return data


def lead_form_data(lead: Lead) -> dict:
    """The lead's current values as LeadForm input, so a PATCH validates exactly like the edit page."""
    data = {}
    for name in ("kind", "source", "company_name", "credit_code", "contact_name", "mobile", "email",
                 "industry_code", "intended_use", "timing", "sponsoring_leader", "next_action", "message",
                 *_NUMBERS):
        value = getattr(lead, name)
        if value is not None:
            data[name] = str(value)
    if lead.jobs is not None:
        data["jobs"] = str(lead.jobs)
    data["priority"] = str(lead.priority)
    if lead.is_key:
        data["is_key"] = "y"
    if lead.next_action_due:
        data["next_action_due"] = lead.next_action_due.isoformat()
    return data
