"""Who sees which of a lead's personal details: the one place every page, export, API answer and PDF asks.

Two rules (issue 7, PIPL):

- A mobile number (and an email address) is shown in full only to the lead's owner, its sponsoring leader,
  managers and admins. Other officers see it masked ('+86138****5678'), with the owner's name to ask.
- A confidential lead (Lead.is_confidential) shows who the investor is - company, contact person, mobile,
  email, credit code, the investor's message and the notes of activities - only to those same people.
  Everyone else sees its codename ('项目A-07') and nothing that identifies the investor.

Every function takes the reader (a User, or None for "nobody in particular": a page cached for everyone
or a file leaving the system) and a lead. A lead may be a Lead or any row with the same attribute names:
board cards and exports select plain rows, which must then include `owner_id`, `sponsoring_leader_id`,
`is_confidential` and `codename` (see ROW_COLUMNS) - a missing one fails loudly instead of leaking.
"""

from flask_babel import gettext as _
from sqlalchemy import and_, false, or_, true

from crm.core.formatting import mask_mobile
from crm.leads.models import Lead

# What a plain row must carry, besides the field it shows, for these functions to decide.
ROW_COLUMNS = (Lead.owner_id, Lead.sponsoring_leader_id, Lead.is_confidential, Lead.codename)
# Fields that say who the investor is; hidden on a confidential lead from readers outside its circle.
IDENTITY_FIELDS = ("company_name", "company_key", "credit_code", "contact_name", "mobile", "email", "message")


def _is_staff(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _is_manager(user) -> bool:
    return _is_staff(user) and bool(user.is_manager)


def is_close_to(user, lead) -> bool:
    """The lead's owner or its sponsoring leader (as a user); managers are handled apart."""
    if not _is_staff(user):
        return False
    return user.id is not None and user.id in (lead.owner_id, lead.sponsoring_leader_id)


def sees_identity(user, lead) -> bool:
    """Whether `user` may see who the investor of `lead` is (always, unless the lead is confidential)."""
    if not lead.is_confidential:
        return True
    return _is_manager(user) or is_close_to(user, lead)


def sees_contact(user, lead) -> bool:
    """Whether `user` sees the investor's mobile and email in full."""
    return _is_manager(user) or is_close_to(user, lead)


def codename(lead) -> str:
    """What a confidential lead is called where its investor must not show."""
    return lead.codename or _("Confidential lead %(ref)s", ref=_reference(lead))


def _reference(lead) -> str:
    reference = getattr(lead, "reference", None)
    return reference if reference else f"#{lead.id}"


def visible_company(user, lead) -> str:
    """The company name, or the codename of a confidential lead."""
    return lead.company_name if sees_identity(user, lead) else codename(lead)


def visible_contact(user, lead) -> str:
    """The contact person, or '' on a confidential lead the reader may not see."""
    return (lead.contact_name or "") if sees_identity(user, lead) else ""


def visible_mobile(user, lead) -> str:
    """The full mobile for the owner, sponsoring leader and managers; masked for other officers; '' when the
    lead is confidential to the reader (even the masked digits help recognise someone)."""
    if not lead.mobile or not sees_identity(user, lead):
        return ""
    return lead.mobile if sees_contact(user, lead) else mask_mobile(lead.mobile)


def visible_email(user, lead) -> str:
    """Like the mobile: 'w***@xingchi-power.cn' for other officers."""
    if not lead.email or not sees_identity(user, lead):
        return ""
    return lead.email if sees_contact(user, lead) else mask_email(lead.email)


def visible_credit_code(user, lead) -> str:
    return (lead.credit_code or "") if sees_identity(user, lead) else ""


def visible_message(user, lead) -> str:
    """The investor's own words name the company: hidden on a confidential lead."""
    return (lead.message or "") if sees_identity(user, lead) else ""


def visible_outcome(user, lead, activity) -> str:
    """An activity's notes ("met 王总 of 星驰...") follow the lead's confidentiality."""
    return (activity.outcome or "") if sees_identity(user, lead) else ""


def is_masked(user, lead) -> bool:
    """Whether the reader gets the mobile masked (to say who to ask)."""
    return bool(lead.mobile) and sees_identity(user, lead) and not sees_contact(user, lead)


_VISIBLE = {
    "company_name": visible_company,
    "contact_name": visible_contact,
    "mobile": visible_mobile,
    "email": visible_email,
    "credit_code": visible_credit_code,
    "message": visible_message,
}


def visible_value(user, lead, field: str):
    """`field` of `lead` as `user` may see it (fields that say nothing about the investor as stored)."""
    if field in _VISIBLE:
        return _VISIBLE[field](user, lead)
    return getattr(lead, field)


def visible_audited(user, lead, field: str | None, value):
    """An audited old or new value of `field` (a timeline line), judged like the field itself: shown,
    masked, or '' when the lead is confidential to the reader."""
    if value is None or value == "" or field not in _VISIBLE:
        return value
    if not sees_identity(user, lead):
        return ""
    if field in ("mobile", "email") and not sees_contact(user, lead):
        return mask_mobile(value) if field == "mobile" else mask_email(value)
    return value


def mask_email(email: str | None) -> str:
    """'wang@xingchi-power.cn' → 'w***@xingchi-power.cn'."""
    if not email:
        return ""
    local, at, domain = email.partition("@")
    if not at:
        return local[:1] + "***"
    return f"{local[:1]}***@{domain}"


def identity_visible_clause(user):
    """SQL: true for the leads whose investor `user` may see (every non-confidential one, and their own)."""
    if _is_manager(user):
        return true()
    if not _is_staff(user):
        return Lead.is_confidential.is_(False)
    return or_(Lead.is_confidential.is_(False), Lead.owner_id == user.id, Lead.sponsoring_leader_id == user.id)


def restrict_search(condition, q: str, user):
    """A search over company, contact and mobile must not find confidential leads the reader may not see
    (the hit alone would tell them the investor is in the pipeline): those match by codename or reference."""
    if condition is None or _is_manager(user):
        return condition
    from crm.leads.queries import lead_id_from_reference

    q = (q or "").strip()[:100]
    typed = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")  # searched for, not wildcards
    by_codename = [Lead.codename.ilike(f"%{typed}%", escape="\\")] if q else []
    lead_id = lead_id_from_reference(q) if q else None
    if lead_id:
        by_codename.append(Lead.id == lead_id)
    # No NOT(...) here: NOT over a NULL sponsoring leader is NULL, which would drop the lead silently.
    by_codename = and_(Lead.is_confidential.is_(True), or_(*by_codename) if by_codename else false())
    return or_(and_(identity_visible_clause(user), condition), by_codename)


def shared_company(lead) -> str:
    """The company as a page cached for every reader may show it (a confidential lead by its codename)."""
    return visible_company(None, lead)
