"""Writes for privacy: an enquirer's data exported or erased, a lead made confidential; each one audited.

Every service takes the acting user (`by`), flushes, and leaves the commit to its caller.
"""

import io
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from crm.auth.models import User
from crm.core.database import utcnow
from crm.core.formatting import mask_mobile
from crm.extensions import db
from crm.leads.identity import mobile_or_none
from crm.leads.models import Activity, Lead, LeadEvent
from crm.notifications.models import Notification
from crm.privacy import consent
from crm.privacy.models import PrivacyEvent
from crm.privacy.visibility import IDENTITY_FIELDS, mask_email

MAX_LEADS = 200  # one person's leads; a search that finds more is too broad to export or erase at once
ERASED = "（已删除）"  # what replaces a name: a statistic, not a person
# Audited values of these fields held the person's data: erased with the lead.
ERASED_AUDIT_FIELDS = IDENTITY_FIELDS + ("intended_use", "next_action")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class PrivacyError(Exception):
    """A privacy request the rules do not allow (with a message for the person who asked)."""


@dataclass
class Search:
    """How an admin named the person: the kind of key, the key as typed, and the leads it found."""

    kind: str  # mobile, email, reference, none
    text: str
    leads: list[Lead] = field(default_factory=list)

    @property
    def subject(self) -> str:
        """The search as the audit keeps it: masked, so the privacy log holds no personal data itself."""
        if self.kind == "mobile":
            return f"mobile {mask_mobile(self.text)}"
        if self.kind == "email":
            return f"email {mask_email(self.text)}"
        return f"{self.kind} {self.text}"[:120]


def find_enquirer(text: str) -> Search:
    """The leads of one enquirer, found by mobile, email or a lead reference (ZS-2026-000123 or the id)."""
    from crm.leads.queries import lead_id_from_reference

    text = (text or "").strip()[:254]
    if not text:
        return Search("none", "")
    if _EMAIL.match(text):
        condition, kind, key = func.lower(Lead.email) == text.lower(), "email", text.lower()
    elif (lead_id := lead_id_from_reference(text)) is not None or (text.isascii() and text.isdigit()
                                                                    and len(text) <= 9):
        lead_id = lead_id or int(text)
        condition, kind, key = Lead.id == lead_id, "reference", text
    elif (mobile := mobile_or_none(text)) is not None:
        condition, kind, key = Lead.mobile == mobile, "mobile", mobile
    else:
        return Search("none", text)
    leads = list(db.session.scalars(select(Lead).where(condition).order_by(Lead.id).limit(MAX_LEADS + 1)))
    if kind == "reference" and leads and leads[0].mobile:
        # One of their leads names the person: everything held about them follows the mobile.
        more = db.session.scalars(select(Lead).where(Lead.mobile == leads[0].mobile, Lead.id != leads[0].id)
                                  .order_by(Lead.id).limit(MAX_LEADS))
        leads = sorted(leads + list(more), key=lambda lead: lead.id)
    return Search(kind, key, leads)


def _audit(action: str, *, by: User | None, leads, subject: str | None = None, detail: dict | None = None,
           reason: str | None = None) -> PrivacyEvent:
    event = PrivacyEvent(action=action, user_id=by.id if by else None, at=utcnow(), subject=subject,
                         lead_ids=json.dumps(sorted(lead.id for lead in leads)),
                         detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True), reason=reason)
    db.session.add(event)
    return event


def _check_size(leads) -> None:
    if not leads:
        raise PrivacyError(_l("No leads were found for this person."))
    if len(leads) > MAX_LEADS:
        raise PrivacyError(_l("This search finds more than %(n)s leads: search by one person's mobile, email "
                              "or lead reference.", n=MAX_LEADS))


# ------------------------------------------------------------------------------------------------- export

def _plain(value):
    """A stored value as JSON: dates and times as ISO text, amounts as exact text."""
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def _row(obj) -> dict:
    """Every column of a row, by name."""
    return {column.key: _plain(getattr(obj, column.key)) for column in obj.__table__.columns}


def _lead_ids(leads) -> list[int]:
    return [lead.id for lead in leads]


def build_bundle(leads: list[Lead]) -> dict:
    """Everything held about these leads' enquirer: the leads, their consent texts, activities, audit trail,
    notices and outgoing messages, and earlier privacy requests about them."""
    ids = _lead_ids(leads)
    activities = db.session.scalars(select(Activity).where(Activity.lead_id.in_(ids))
                                    .order_by(Activity.lead_id, Activity.occurred_at, Activity.id))
    events = db.session.scalars(select(LeadEvent).where(LeadEvent.lead_id.in_(ids))
                                .order_by(LeadEvent.lead_id, LeadEvent.at, LeadEvent.id))
    notices = db.session.scalars(select(Notification).where(Notification.lead_id.in_(ids))
                                 .order_by(Notification.id))
    bundle = {
        "generated_at": _plain(utcnow()),
        "leads": [],
        "activities": [_row(a) for a in activities],
        "audit_events": [_row(e) for e in events],
        "notifications": [_row(n) for n in notices],
        "deliveries": [_row(d) for d in _deliveries(ids)],
        "merged_leads": [_row(a) for a in _rows_about(_alias_model(), ids, "lead_id")],
        "import_rows": [_row(r) for r in _rows_about(_import_row_model(), ids, "lead_id", "match_lead_id")],
        "privacy_events": [_row(p) for p in privacy_events_about(ids)],
    }
    for lead in leads:
        row = _row(lead)
        row["reference"] = lead.reference
        text = consent.text_for(lead.consent_version)
        row["consent_text"] = {"zh": f"{text.notice_zh} {text.label_zh}".strip(),
                               "en": f"{text.notice_en} {text.label_en}".strip()} if text else None
        bundle["leads"].append(row)
    return bundle


def _delivery_model():
    """The notification outbox (emails, webhooks), when installed."""
    from crm.notifications import models

    return getattr(models, "Delivery", None)


def _deliveries(ids: list[int]) -> list:
    model = _delivery_model()
    if model is None:
        return []
    return list(db.session.scalars(select(model).where(model.lead_id.in_(ids)).order_by(model.id)))


def _alias_model():
    """Merged-away leads (their snapshot holds what they said), when lead merging is installed."""
    try:
        from crm.leads.aliases import LeadAlias
    except ImportError:
        return None
    return LeadAlias


def _import_row_model():
    """Staged rows of imported contact lists (the cells as uploaded), when imports are installed."""
    try:
        from crm.imports.models import LeadImportRow
    except ImportError:
        return None
    return LeadImportRow


def _rows_about(model, ids: list[int], *columns: str) -> list:
    if model is None:
        return []
    condition = or_(*(getattr(model, column).in_(ids) for column in columns))
    return list(db.session.scalars(select(model).where(condition).order_by(model.id)))


def privacy_events_about(ids: list[int]) -> list[PrivacyEvent]:
    """Earlier privacy requests that named any of these leads (the id list is JSON text: matched in Python)."""
    wanted = set(ids)
    candidates = db.session.scalars(select(PrivacyEvent).order_by(PrivacyEvent.id))
    return [event for event in candidates if wanted & set(event.ids)]


def export_enquirer(leads: list[Lead], *, by: User, fmt: str, subject: str | None = None) -> tuple[bytes, str]:
    """The enquirer's data as a file (`fmt` json or xlsx) and its MIME type; the export is audited."""
    _check_size(leads)
    if fmt not in ("json", "xlsx"):
        raise PrivacyError(_l("Choose JSON or Excel."))
    bundle = build_bundle(leads)
    counts = {name: len(rows) for name, rows in bundle.items() if isinstance(rows, list)}
    _audit("export", by=by, leads=leads, subject=subject, detail={"format": fmt, "counts": counts})
    db.session.flush()
    if fmt == "json":
        data = json.dumps(bundle, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        return data, "application/json"
    return bundle_xlsx(bundle), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bundle_xlsx(bundle: dict) -> bytes:
    """The bundle as a workbook, one sheet per part; text stays text (a name starting '=' is no formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, rows in bundle.items():
        if not isinstance(rows, list):
            continue
        sheet = workbook.create_sheet(title=name[:31])
        headers = sorted({key for row in rows for key in row}, key=lambda k: (k != "id", k)) or ["id"]
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            cells = []
            for header in headers:
                value = row.get(header)
                if isinstance(value, dict | list):
                    value = json.dumps(value, ensure_ascii=False)
                cell = WriteOnlyCell(sheet, value=_safe_cell(value))
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _safe_cell(value):
    """openpyxl refuses control characters in text; the JSON bundle keeps them, the sheet drops them."""
    return _ILLEGAL_XML.sub("", value) if isinstance(value, str) else value


# -------------------------------------------------------------------------------------------------- erase

def erase_enquirer(leads: list[Lead], *, by: User, reason: str, subject: str | None = None) -> dict:
    """Anonymise these leads for good: who the investor is goes; stage, kind, figures and dates stay for the
    statistics. Activities keep their kind and date but lose their notes; the audit trail loses the values
    it recorded of personal fields; notices and outgoing messages lose their text; so do the snapshots of
    leads merged into these and the uploaded rows of contact lists they came from. Returns the counts."""
    _check_size(leads)
    reason = (reason or "").strip()
    if not reason:
        raise PrivacyError(_l("Say why the data are erased (for example: the investor's request of 1 March)."))
    ids = _lead_ids(leads)
    for lead in leads:
        _anonymise(lead)
    activities = db.session.execute(
        update(Activity).where(Activity.lead_id.in_(ids))
        .values(outcome="", next_action=None)).rowcount
    events = db.session.execute(
        update(LeadEvent).where(LeadEvent.lead_id.in_(ids), LeadEvent.field.in_(ERASED_AUDIT_FIELDS))
        .values(old_value=None, new_value=None)).rowcount
    notices = db.session.execute(
        update(Notification).where(Notification.lead_id.in_(ids)).values(payload="{}")).rowcount
    deliveries = 0
    model = _delivery_model()
    if model is not None:
        deliveries = db.session.execute(
            update(model).where(model.lead_id.in_(ids))
            .values(subject="", body="", recipient=None, last_error=None)).rowcount
    merged = imported = 0
    if (model := _alias_model()) is not None:
        merged = db.session.execute(update(model).where(model.lead_id.in_(ids)).values(snapshot="{}")).rowcount
    if (model := _import_row_model()) is not None:
        imported = db.session.execute(
            update(model).where(or_(model.lead_id.in_(ids), model.match_lead_id.in_(ids)))
            .values(cells_json="[]", values_json=None, company_name=None)).rowcount
    counts = {"leads": len(ids), "activities": activities, "audit_events": events, "notifications": notices,
              "deliveries": deliveries, "merged_leads": merged, "import_rows": imported}
    _audit("erase", by=by, leads=leads, subject=subject, detail={"counts": counts}, reason=reason[:500])
    db.session.flush()
    return counts


def _anonymise(lead: Lead) -> None:
    lead.company_name = ERASED
    lead.company_key = f"erased-{lead.id}"  # unique: erased leads never look like one investor (撞单)
    lead.credit_code = None
    lead.contact_name = ERASED
    lead.mobile = None
    lead.email = None
    lead.message = None
    lead.intended_use = None
    lead.next_action = None
    lead.status_token = secrets.token_urlsafe(24)  # the investor's old status link now finds nothing
    lead.updated_at = utcnow()
    # An erased lead is nobody's any more: it needs no codename to hide behind.
    lead.is_confidential = False


def is_erased(lead: Lead) -> bool:
    return lead.company_key == f"erased-{lead.id}"


# ------------------------------------------------------------------------------------------ confidentiality

def can_classify(user: User | None, lead: Lead) -> bool:
    """The owner, managers and admins mark a lead confidential (large investors often insist)."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_manager or (lead.owner_id is not None and lead.owner_id == user.id))


def next_codename() -> str:
    """项目A-01, 项目A-02 … 项目A-99, 项目B-01 …: the next unused one."""
    taken = set(db.session.scalars(select(Lead.codename).where(Lead.codename.is_not(None))))
    n = len(taken)
    while True:
        letter, number = divmod(n, 99)
        name = f"项目{chr(ord('A') + letter % 26)}-{number + 1:02d}"
        if letter >= 26:
            name += f"-{letter // 26}"
        if name not in taken:
            return name
        n += 1


def set_confidential(lead: Lead, *, confidential: bool, codename: str | None, by: User,
                     sponsoring_leader: User | None = None, change_leader: bool = False) -> None:
    """Mark a lead confidential under a codename (or lift it), and link its sponsoring leader to a user.

    The owner and managers may mark a lead; only managers lift it or choose the sponsoring leader (as they
    set the sponsoring leader's name on the lead). A confidential lead needs an owner: nobody else could
    work it.
    """
    from crm.leads.services import _audit as lead_audit

    if not can_classify(by, lead):
        raise PrivacyError(_l("Only the lead's owner or a manager can change its confidentiality."))
    codename = (codename or "").strip()[:40] or None
    if confidential and lead.owner_id is None:
        raise PrivacyError(_l("Assign an owner before marking the lead confidential."))
    if not confidential and lead.is_confidential and not by.is_manager:
        raise PrivacyError(_l("Only a manager can lift the confidentiality of a lead."))
    if change_leader and not by.is_manager:
        raise PrivacyError(_l("Only a manager can set the sponsoring leader or the key flag."))
    if confidential and codename is None:
        codename = lead.codename or next_codename()
    changes = []
    if lead.is_confidential != confidential:
        changes.append(("is_confidential", lead.is_confidential, confidential))
        lead.is_confidential = confidential
    if codename is not None and codename != lead.codename:
        changes.append(("codename", lead.codename, codename))
        lead.codename = codename
    leader_changed = False
    if change_leader:
        leader_id = sponsoring_leader.id if sponsoring_leader else None
        leader_changed = leader_id != lead.sponsoring_leader_id
        lead.sponsoring_leader_id = leader_id
        # The name is what pages and briefs print; the link is who may see a confidential lead.
        if sponsoring_leader is not None and sponsoring_leader.name[:100] != lead.sponsoring_leader:
            changes.append(("sponsoring_leader", lead.sponsoring_leader, sponsoring_leader.name[:100]))
            lead.sponsoring_leader = sponsoring_leader.name[:100]
    if not changes and not leader_changed:
        return
    for name, old, new in changes:
        lead_audit(lead, "field", by=by, field=name, old=old, new=new)
    if leader_changed or any(name == "is_confidential" for name, _old, _new in changes):
        _audit("confidential" if lead.is_confidential else "not_confidential", by=by, leads=[lead],
               subject=f"reference {lead.reference}",
               detail={"codename": lead.codename, "sponsoring_leader_id": lead.sponsoring_leader_id})
    lead.updated_at = utcnow()
    db.session.flush()


def recent_events(limit: int = 50) -> list[PrivacyEvent]:
    return list(db.session.scalars(select(PrivacyEvent).order_by(PrivacyEvent.at.desc(), PrivacyEvent.id.desc())
                                   .limit(limit)))
