"""The words of emails and group-chat messages, each in its reader's language.

A message is composed when it is queued (in the request that caused it) and stored whole in the outbox, so
sending later needs no request, no template and no lead that might have changed meanwhile. Confidential
leads go by their codename wherever the reader may not see the investor (group chats: always).
"""

from contextlib import contextmanager
from datetime import date

from flask import current_app, has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _

from crm.core.formatting import money_wan
from crm.core.vocabulary import COLLISION_REASONS, LEAD_KINDS, LEAD_SOURCES


@contextmanager
def reading_as(user=None):
    """Compose in `user`'s chosen language, else the zone's (CRM_LOCALE), else the default."""
    config = current_app.config
    locale = (getattr(user, "locale", None) or config.get("CRM_LOCALE") or config["BABEL_DEFAULT_LOCALE"])
    with force_locale(locale):
        yield


def base_url() -> str:
    """Where links in messages point: BASE_URL, else the address the current request came to."""
    configured = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if configured:
        return configured
    if has_request_context():
        return request.host_url.rstrip("/")
    return ""


def lead_link(lead) -> str:
    root = base_url()
    return f"{root}/leads/{lead.id}" if root else ""


def company(lead, reader=None) -> str:
    from crm.privacy.visibility import visible_company

    return visible_company(reader, lead)


def _lines(*lines) -> str:
    return "\n".join(line for line in lines if line)


def new_enquiry(lead, reader=None) -> tuple[str, str]:
    """(subject, body) telling a manager or duty officer of a new enquiry."""
    with reading_as(reader):
        name = company(lead, reader)
        subject = _("New enquiry: %(company)s (%(reference)s)", company=name, reference=lead.reference)
        body = _lines(
            _("A new enquiry came in through %(source)s.", source=LEAD_SOURCES.label(lead.source)),
            "",
            _("Company: %(company)s", company=name),
            _("Need: %(kind)s", kind=LEAD_KINDS.label(lead.kind)),
            _("Intended use: %(use)s", use=lead.intended_use) if lead.intended_use else "",
            _("Expected annual tax: %(tax)s", tax=money_wan(lead.expected_tax_wan))
            if lead.expected_tax_wan is not None else "",
            _("Nobody owns it yet: claim or assign it.") if lead.owner_id is None else "",
            "",
            lead_link(lead),
        )
    return subject, body


def assigned(lead, reader, by_name: str) -> tuple[str, str]:
    with reading_as(reader):
        name = company(lead, reader)
        subject = _("Assigned to you: %(company)s (%(reference)s)", company=name, reference=lead.reference)
        body = _lines(_("%(name)s assigned you the lead %(company)s.", name=by_name, company=name), "",
                      _("Next action: %(action)s", action=lead.next_action) if lead.next_action else "",
                      lead_link(lead))
    return subject, body


def collision(lead, other, reason: str, reader) -> tuple[str, str]:
    with reading_as(reader):
        name = company(lead, reader)
        subject = _("Possible collision: %(company)s (%(reference)s)", company=name, reference=lead.reference)
        body = _lines(
            _("Possible collision (撞单): %(company)s matches another lead by %(reason)s.", company=name,
              reason=COLLISION_REASONS.label(reason)),
            _("Talk to the other owner before contacting the investor again."), "",
            f"{lead.reference}  {lead_link(lead)}", f"{other.reference}  {lead_link(other)}")
    return subject, body


def group_new_enquiry(lead) -> str:
    """The group chat's line about a new enquiry (no contact details: a chat group is not the CRM)."""
    with reading_as(None):
        return _lines(
            _("New enquiry %(reference)s: %(company)s, %(kind)s.", reference=lead.reference,
              company=company(lead), kind=LEAD_KINDS.label(lead.kind)),
            _("Nobody owns it yet: claim or assign it.") if lead.owner_id is None else "",
            lead_link(lead))


def group_collision(lead, other, reason: str) -> str:
    with reading_as(None):
        return _lines(
            _("Possible collision (撞单): %(first)s and %(second)s match by %(reason)s.", first=lead.reference,
              second=other.reference, reason=COLLISION_REASONS.label(reason)),
            lead_link(lead))


def digest(reader, rows: list, total: int, today: date) -> tuple[str, str]:
    """An officer's overdue follow-ups; `rows` are (lead, days overdue), `total` may exceed len(rows)."""
    with reading_as(reader):
        subject = _("%(n)s overdue follow-ups, %(day)s", n=total, day=today.isoformat())
        lines = [_("Good morning %(name)s, these follow-ups are overdue:", name=reader.name), ""]
        for lead, days in rows:
            lines.append(_("- %(reference)s %(company)s: %(action)s (due %(due)s, %(days)s days ago)",
                           reference=lead.reference, company=company(lead, reader),
                           action=lead.next_action or _("no action named"), due=lead.next_action_due.isoformat(),
                           days=days))
            link = lead_link(lead)
            if link:
                lines.append("  " + link)
        if total > len(rows):
            lines.append(_("…and %(n)s more.", n=total - len(rows)))
        root = base_url()
        if root:
            my_day = root + "/leads/my-day"
            lines += ["", _("Your day: %(url)s", url=my_day)]
    return subject, "\n".join(lines)


def team_digest(reader, counts: list, today: date) -> tuple[str, str]:
    """A manager's view: overdue follow-ups per officer, `counts` being (name, overdue) pairs."""
    with reading_as(reader):
        total = sum(n for _name, n in counts)
        subject = _("Team: %(n)s overdue follow-ups, %(day)s", n=total, day=today.isoformat())
        lines = [_("Overdue follow-ups per officer:"), ""]
        lines += [f"- {name}: {n}" for name, n in counts]
    return subject, "\n".join(lines)
