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

A project made from a signed lead (Project.lead_id) follows its lead: while the lead is confidential, the
project's name, company and credit code show to the lead's circle only, and everyone else sees the lead's
codename (the `*_project_*` functions below). A project added by hand has no lead and shows to everyone.
"""

from flask_babel import gettext as _
from sqlalchemy import and_, false, or_, select, true

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
    by_codename = [Lead.codename.ilike(_contains(q), escape="\\")] if q else []
    lead_id = lead_id_from_reference(q) if q else None
    if lead_id:
        by_codename.append(Lead.id == lead_id)
    # No NOT(...) here: NOT over a NULL sponsoring leader is NULL, which would drop the lead silently.
    by_codename = and_(Lead.is_confidential.is_(True), or_(*by_codename) if by_codename else false())
    return or_(and_(identity_visible_clause(user), condition), by_codename)


def _contains(q: str) -> str:
    """A LIKE pattern for `q` anywhere, its % and _ searched for rather than wildcards (escape '\\')."""
    typed = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{typed}%"


def shared_company(lead) -> str:
    """The company as a page cached for every reader may show it (a confidential lead by its codename)."""
    return visible_company(None, lead)


# ------------------------------------------------------------------------------------------------- projects
# A project is judged by the lead it came from, through the lead functions above: one rule for both.
PROJECT_IDENTITY_FIELDS = ("name", "company_name", "company_key", "credit_code")


def project_lead(project):
    """The lead whose circle sees `project`'s investor; None for a project added by hand (no lead)."""
    return project.lead if project.lead_id is not None else None


def sees_project_identity(user, project) -> bool:
    """Whether `user` may see who the investor of `project` is: always, unless its lead is confidential; then
    the lead's circle, and the officer the project was given to (who works with the investor from then on)."""
    lead = project_lead(project)
    if lead is None or sees_identity(user, lead):
        return True
    return _is_staff(user) and user.id is not None and project.owner_id == user.id


def visible_project_name(user, project) -> str:
    """The project's name, or its lead's codename where the investor must not show."""
    return project.name if sees_project_identity(user, project) else codename(project_lead(project))


def visible_project_company(user, project) -> str:
    """The investor company, or the lead's codename (the same as the name then: one word, not two)."""
    return project.company_name if sees_project_identity(user, project) else codename(project_lead(project))


def visible_project_credit_code(user, project) -> str:
    return (project.credit_code or "") if sees_project_identity(user, project) else ""


def visible_project_value(user, project, field: str):
    """`field` of `project` as `user` may see it (fields that say nothing about the investor as stored)."""
    if field == "name":
        return visible_project_name(user, project)
    if field == "company_name":
        return visible_project_company(user, project)
    if field == "credit_code":
        return visible_project_credit_code(user, project)
    return getattr(project, field)


def visible_project_audited(user, project, field: str | None, value):
    """An audited old or new value of a project field (its history): '' for the investor's name, company
    or credit code when the project is confidential to the reader."""
    if value is None or value == "" or field not in PROJECT_IDENTITY_FIELDS:
        return value
    return value if sees_project_identity(user, project) else ""


def project_identity_visible_clause(user):
    """SQL over Project: true for the projects whose investor `user` may see (added by hand, made from a lead
    whose investor they may see - identity_visible_clause on that lead - or given to them)."""
    from crm.projects.models import Project

    if _is_manager(user):
        return true()
    visible_lead = select(Lead.id).where(Lead.id == Project.lead_id, identity_visible_clause(user))
    clauses = [Project.lead_id.is_(None), visible_lead.exists()]
    if _is_staff(user) and user.id is not None:
        clauses.append(Project.owner_id == user.id)
    return or_(*clauses)


def restrict_project_search(condition, q: str, user):
    """A search over project name, company and credit code must not find a confidential lead's project the
    reader may not see (as restrict_search for leads): those match by their code or the lead's codename."""
    if condition is None or _is_manager(user):
        return condition
    from crm.projects.models import Project

    q = (q or "").strip()[:100]
    confidential = select(Lead.id).where(Lead.id == Project.lead_id, Lead.is_confidential.is_(True))
    if q:
        pattern = _contains(q)
        by_codename = and_(confidential.exists(), or_(
            Project.code.ilike(pattern, escape="\\"),
            confidential.where(Lead.codename.ilike(pattern, escape="\\")).exists()))
    else:
        by_codename = false()
    return or_(and_(project_identity_visible_clause(user), condition), by_codename)
