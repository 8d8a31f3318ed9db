"""How leads look in JSON, and back into form data for validation."""

from decimal import Decimal

from flask import g

from crm.leads.models import Lead
from crm.privacy import visibility

_NUMBERS = ("land_mu", "floor_area_m2", "budget_wan", "planned_investment_wan", "expected_output_wan",
            "expected_tax_wan")


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def lead_json(lead: Lead, viewer=None) -> dict:
    """A lead as `viewer` (by default the API token's user) may see it: a mobile masked unless they own the
    lead, a confidential lead's investor replaced by its codename (crm.privacy.visibility)."""
    viewer = viewer if viewer is not None else g.get("api_user")
    data = {
        "id": lead.id,
        "reference": lead.reference,
        "version": lead.version,
        "stage": lead.stage,
        "kind": lead.kind,
        "source": lead.source,
        "company_name": visibility.visible_company(viewer, lead),
        "credit_code": visibility.visible_credit_code(viewer, lead) or None,
        "contact_name": visibility.visible_contact(viewer, lead) or None,
        "mobile": visibility.visible_mobile(viewer, lead) or None,
        "email": visibility.visible_email(viewer, lead) or None,
        "is_confidential": lead.is_confidential,
        "codename": lead.codename if lead.is_confidential else None,
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
        "message": visibility.visible_message(viewer, lead) or None,
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


def _iso(value) -> str | None:
    """Dates as YYYY-MM-DD; naive UTC datetimes as RFC 3339 with a Z."""
    if value is None:
        return None
    return value.isoformat() + "Z" if hasattr(value, "hour") else value.isoformat()


def activity_json(activity, viewer=None) -> dict:
    """An activity; its notes follow the lead's confidentiality for `viewer` (default: the token's user)."""
    viewer = viewer if viewer is not None else g.get("api_user")
    return {
        "id": activity.id,
        "lead_id": activity.lead_id,
        "kind": activity.kind,
        "occurred_at": _iso(activity.occurred_at),
        "outcome": visibility.visible_outcome(viewer, activity.lead, activity),
        "next_action": activity.next_action,
        "next_action_due": _iso(activity.next_action_due),
        "user_id": activity.user_id,
        "user": activity.user.name if activity.user else None,
        "created_at": _iso(activity.created_at),
    }


def site_json(site) -> dict:
    return {
        "id": site.id,
        "code": site.code,
        "name": site.name,
        "kind": site.kind,
        "park": site.park,
        "address": site.address,
        "area_m2": _number(site.area_m2),
        "land_mu": _number(site.land_mu),
        "floors": site.floors,
        "ceiling_height_m": _number(site.ceiling_height_m),
        "floor_load_t_m2": _number(site.floor_load_t_m2),
        "power_kva": site.power_kva,
        "rent_yuan_m2_month": _number(site.rent_yuan_m2_month),
        "price_wan": _number(site.price_wan),
        "status": site.status,
        "reserved_for_id": site.reserved_for_id,
        "reserved_until": _iso(site.reserved_until),
        "project_id": site.project_id,
        "updated_at": _iso(site.updated_at),
    }


def milestone_json(milestone) -> dict:
    return {"kind": milestone.kind, "planned_on": _iso(milestone.planned_on), "actual_on": _iso(milestone.actual_on)}
