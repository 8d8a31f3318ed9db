"""Writes of lead imports: stage an upload, map and check its rows, record collision choices, commit.

An import is staged in the database (its rows as JSON in lead_import_row), so the steps can be spread over
several requests and workers. The commit creates, merges and skips in one transaction: every lead of the
file, or none. New leads are inserted in bulk, each with what `create_lead` gives a lead (status token,
normalised keys, created/assigned audit rows, collision link and notices), through the same helpers.
"""

import json
from types import SimpleNamespace

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from crm.auth.models import User
from crm.core import spreadsheets as sheets
from crm.core.database import utcnow
from crm.extensions import db
from crm.imports import checks, fields, queries
from crm.imports.models import LeadImport, LeadImportRow
from crm.imports.reader import read_upload
from crm.leads import services as lead_services
from crm.leads.models import Lead, LeadEvent
from crm.leads.persistence import insert_leads
from crm.notifications import services as notices

CHOICES = ("skip", "merge", "create")
DEFAULT_CHOICE = {"collision": "skip", "duplicate": "merge"}
# A merge fills what the lead on record lacks; these always hold a value, so a merge never changes them.
_NEVER_FILLED = ("kind", "source", "priority", "is_key")


class ImportRefused(Exception):
    """The import cannot go on as asked; `message` says why, and nothing was changed."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def can_use(user: User, lead_import: LeadImport) -> bool:
    """Managers and admins see every import; an officer works on their own."""
    return user.is_manager or lead_import.user_id == user.id


def limits() -> sheets.Limits:
    return sheets.Limits(max_bytes=current_app.config.get("MAX_CONTENT_LENGTH") or 20 * 1024 * 1024,
                         max_rows=current_app.config.get("LEAD_IMPORT_MAX_ROWS", 50_000))


# ---------------------------------------------------------------------------------------------------------
# 1. Upload
# ---------------------------------------------------------------------------------------------------------

def stage_upload(data: bytes, filename: str, *, by: User) -> LeadImport:
    """Check the file and keep its rows for the next steps. Raises SpreadsheetError for a refused file."""
    upload = read_upload(data, filename, fields.columns_for(by), limits=limits())
    lead_import = LeadImport(
        user_id=by.id, filename=(filename or "")[-255:], status="mapping", header_row=upload.header_row,
        header_json=json.dumps(upload.header, ensure_ascii=False),
        mapping_json=json.dumps(upload.auto_mapping),
        defaults_json=json.dumps({"kind": "investment", "source": "expo", "owner_id": ""}),
        total_rows=len(upload.rows), created_at=utcnow())
    db.session.add(lead_import)
    db.session.flush()
    db.session.execute(insert(LeadImportRow), [
        {"import_id": lead_import.id, "number": number, "cells_json": json.dumps(cells, ensure_ascii=False)}
        for number, cells in upload.rows])
    return lead_import


# ---------------------------------------------------------------------------------------------------------
# 2. Mapping: check every row, find collisions on record and within the file
# ---------------------------------------------------------------------------------------------------------

def check_mapping(mapping: dict[str, int], header: list[str], *, by: User) -> dict[str, int]:
    """The mapping if it can work, else ImportRefused: known fields, real columns, each column once."""
    allowed = {f.key for f in fields.fields_for(by)}
    clean = {}
    for key, index in mapping.items():
        if key not in allowed or not isinstance(index, int) or not 0 <= index < len(header):
            raise ImportRefused(_l("The column mapping names a field or column that does not exist."))
        clean[key] = index
    if len(set(clean.values())) != len(clean):
        raise ImportRefused(_l("Each column can fill one field only."))
    missing = [str(f.label) for f in fields.FIELDS if f.required and f.key not in clean]
    if missing:
        raise ImportRefused(_l("Choose the columns that hold: %(fields)s.", fields="、".join(missing)))
    return clean


def apply_mapping(lead_import: LeadImport, mapping: dict[str, int], defaults: dict, *, by: User,
                  language: str) -> dict[str, int]:
    """Check every row with the lead form under this mapping, find collisions, and move to the preview.

    Returns the rows counted by state (error, collision, duplicate, new).
    """
    # Claimed like the commit claims it: a commit running at the same time waits for this, then sees its result.
    claimed = db.session.execute(
        update(LeadImport).where(LeadImport.id == lead_import.id, LeadImport.status.in_(("mapping", "preview")))
        .values(status="mapping").execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise ImportRefused(_l("This import is already committed or discarded."))
    mapping = check_mapping(mapping, lead_import.header, by=by)
    lead_import.mapping_json = json.dumps(mapping)
    lead_import.defaults_json = json.dumps(defaults)
    checker = checks.RowChecker(mapping, defaults, by=by, language=language)
    staged = db.session.execute(select(LeadImportRow.id, LeadImportRow.number, LeadImportRow.cells_json)
                                .where(LeadImportRow.import_id == lead_import.id)
                                .order_by(LeadImportRow.number)).all()
    updates, good = [], []
    for row_id, number, cells_json in staged:
        values, errors = checker.check(json.loads(cells_json))
        update_row = {"id": row_id, "values_json": None, "errors_json": None, "match_lead_id": None,
                      "match_reason": None, "duplicate_of": None, "duplicate_reason": None, "choice": None,
                      "company_name": None, "outcome": None, "lead_id": None}
        if errors:
            update_row["errors_json"] = json.dumps(errors, ensure_ascii=False)
            cells = json.loads(cells_json)
            index = mapping.get("company_name")
            update_row["company_name"] = (cells[index] if index is not None and index < len(cells) else "")[:200]
        else:
            update_row["values_json"] = checks.encode(values)
            update_row["company_name"] = values["company_name"][:200]
            good.append((update_row, number, queries.preview_keys(values)))
        updates.append(update_row)
    _find_collisions(good, by=by)
    if updates:
        db.session.execute(update(LeadImportRow), updates)
    lead_import.status = "preview"
    db.session.flush()
    return queries.state_counts(lead_import)


def _find_collisions(good: list, *, by: User) -> None:
    """Set each good row's match on record (the earliest, as create_lead finds it) and its first earlier
    duplicate within the file, with the default choice for each."""
    matches = queries.earliest_matches([lead for _row, _number, lead in good])
    first_seen: dict[tuple[str, str], tuple[int, object]] = {}
    for (row, number, lead), (match, reason) in zip(good, matches, strict=True):
        if match is not None:
            row["match_lead_id"], row["match_reason"] = match.id, reason
            row["choice"] = DEFAULT_CHOICE["collision"]
        keys = queries.identity_keys(lead)
        earlier = [first_seen[key] for key in keys if key in first_seen]
        if earlier:
            first_number, first_lead = min(earlier, key=lambda item: item[0])
            row["duplicate_of"] = first_number
            row["duplicate_reason"] = lead_services.collision_reason(lead, first_lead)
            if match is None:
                row["choice"] = DEFAULT_CHOICE["duplicate"]
        for key in keys:
            first_seen.setdefault(key, (number, lead))


# ---------------------------------------------------------------------------------------------------------
# 3. Preview: choices for collisions
# ---------------------------------------------------------------------------------------------------------

def allowed_choices(row: LeadImportRow, *, by: User, match: Lead | None = None) -> tuple[str, ...]:
    """What may be done with a colliding row: merging into a lead on record needs the right to edit it."""
    if row.state == "collision":
        lead = match or row.match_lead
        if lead is not None and not lead_services.can_edit(by, lead):
            return ("skip", "create")
        return CHOICES
    if row.state == "duplicate":
        return CHOICES
    return ()


def set_choices(lead_import: LeadImport, choices: dict[int, str], *, by: User) -> int:
    """Record the choice made for each listed row (by row id); returns how many rows changed."""
    _require_status(lead_import, ("preview",))
    if not choices:
        return 0
    rows = db.session.scalars(select(LeadImportRow).where(
        LeadImportRow.import_id == lead_import.id, LeadImportRow.id.in_(list(choices)))).all()
    if len(rows) != len(choices):
        raise ImportRefused(_l("Some rows do not belong to this import."))
    matches = queries.leads_by_id(row.match_lead_id for row in rows)
    updates = []
    for row in rows:
        choice = choices[row.id]
        if choice not in allowed_choices(row, by=by, match=matches.get(row.match_lead_id)):
            raise ImportRefused(_l("Row %(row)s: that choice is not possible for it.", row=row.number))
        if row.choice != choice:
            updates.append({"id": row.id, "choice": choice})
    if updates:
        db.session.execute(update(LeadImportRow), updates)
    return len(updates)


def set_choice_for_all(lead_import: LeadImport, state: str, choice: str, *, by: User) -> int:
    """Give every collision (or every in-file duplicate) the same choice; merges only where allowed."""
    _require_status(lead_import, ("preview",))
    if state not in DEFAULT_CHOICE or choice not in CHOICES:
        raise ImportRefused(_l("Choose skip, merge or create."))
    query = update(LeadImportRow).where(LeadImportRow.import_id == lead_import.id,
                                        queries.state_expression() == state)
    if state == "collision" and choice == "merge" and not by.is_manager:
        editable = select(Lead.id).where(Lead.owner_id.is_(None) | (Lead.owner_id == by.id))
        query = query.where(LeadImportRow.match_lead_id.in_(editable))
    return db.session.execute(query.values(choice=choice).execution_options(synchronize_session=False)).rowcount


# ---------------------------------------------------------------------------------------------------------
# 4. Commit: all rows or none
# ---------------------------------------------------------------------------------------------------------

def commit_import(lead_import: LeadImport, *, by: User) -> LeadImport:
    """Create, merge and skip as chosen, in the caller's transaction; the caller commits (or rolls back,
    and then nothing at all happened). Raises ImportRefused when a choice can no longer be carried out."""
    claimed = db.session.execute(
        update(LeadImport).where(LeadImport.id == lead_import.id, LeadImport.status == "preview")
        .values(status="committing").execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise ImportRefused(_l("This import is already committed or discarded."))
    rows = db.session.execute(
        select(LeadImportRow.id, LeadImportRow.number, LeadImportRow.values_json, LeadImportRow.errors_json,
               LeadImportRow.match_lead_id, LeadImportRow.duplicate_of, LeadImportRow.choice)
        .where(LeadImportRow.import_id == lead_import.id).order_by(LeadImportRow.number)).all()
    plan = _plan(rows)
    _merge_into_leads_on_record(plan, by=by)
    new_leads = _create_leads(plan, by=by)
    for entry in plan.values():
        if entry.outcome == "created":
            entry.lead_id = new_leads[entry.number].id
        elif entry.outcome == "merged" and entry.lead_id is None:  # merged into a lead this import created
            entry.lead_id = new_leads[entry.target_number].id
    db.session.execute(update(LeadImportRow), [
        {"id": entry.row_id, "outcome": entry.outcome, "lead_id": entry.lead_id} for entry in plan.values()])
    counts = {outcome: 0 for outcome in ("created", "merged", "skipped", "error")}
    for entry in plan.values():
        counts[entry.outcome] += 1
    lead_import.created, lead_import.merged = counts["created"], counts["merged"]
    lead_import.skipped, lead_import.errors = counts["skipped"], counts["error"]
    lead_import.status = "done"
    lead_import.committed_at = utcnow()
    db.session.flush()
    return lead_import


def _plan(rows) -> dict[int, SimpleNamespace]:
    """What happens to each row (by row number): created, merged (into which lead), skipped or error.

    A row merged into an earlier row of the file lends that row its values for the fields it lacks; if the
    earlier row was skipped, the later one is created in its place.
    """
    plan: dict[int, SimpleNamespace] = {}
    for row in rows:
        entry = SimpleNamespace(row_id=row.id, number=row.number, outcome="error", values=None, lead_id=None,
                                target_number=None, merges=[])
        plan[row.number] = entry
        if row.errors_json or not row.values_json:
            continue
        entry.values = checks.decode(row.values_json)
        if row.match_lead_id:
            choice = row.choice or DEFAULT_CHOICE["collision"]
            entry.outcome = {"skip": "skipped", "merge": "merged"}.get(choice, "created")
            if entry.outcome == "merged":
                entry.lead_id = row.match_lead_id  # a merge of that lead since then moved this link too
        elif row.duplicate_of:
            choice = row.choice or DEFAULT_CHOICE["duplicate"]
            earlier = plan.get(row.duplicate_of)
            if choice == "skip":
                entry.outcome = "skipped"
            elif choice == "merge" and earlier is not None and earlier.outcome in ("created", "merged"):
                entry.outcome = "merged"
                if earlier.outcome == "created":
                    entry.target_number = earlier.number
                    _fill_blanks(earlier.values, entry.values)
                else:
                    entry.lead_id = earlier.lead_id
                    entry.target_number = earlier.target_number
                    if earlier.target_number is not None:
                        _fill_blanks(plan[earlier.target_number].values, entry.values)
            else:
                entry.outcome = "created"
        else:
            entry.outcome = "created"
    return plan


def _fill_blanks(target: dict, source: dict) -> dict:
    """Copy into `target` the values it lacks; returns what was copied."""
    filled = {}
    for key, value in source.items():
        if key in _NEVER_FILLED or value in (None, ""):
            continue
        if target.get(key) in (None, ""):
            target[key] = filled[key] = value
    return filled


def _merge_into_leads_on_record(plan: dict, *, by: User) -> None:
    """Fill, on each lead on record that rows merge into, the fields it lacks (audited as edits)."""
    targets: dict[int, list] = {}
    for entry in plan.values():
        if entry.outcome == "merged" and entry.lead_id is not None:
            targets.setdefault(entry.lead_id, []).append(entry)
    leads = queries.leads_by_id(targets)
    for lead_id, entries in targets.items():
        lead = leads.get(lead_id)
        if lead is None:
            raise ImportRefused(_l("Row %(row)s: the lead to merge into no longer exists; check the preview "
                                   "again.", row=entries[0].number))
        if not lead_services.can_edit(by, lead):
            raise ImportRefused(_l("Row %(row)s: you can no longer change lead %(ref)s, so the row cannot be "
                                   "merged into it; choose skip or create.", row=entries[0].number,
                                   ref=lead.reference))
        current = {key: getattr(lead, key) for key in lead_services.EDITABLE_FIELDS}
        changes = {}
        for entry in entries:
            changes.update(_fill_blanks(current, entry.values))
        changes = {key: value for key, value in changes.items() if key in lead_services.EDITABLE_FIELDS}
        if changes:
            try:
                lead_services.update_lead(lead, changes, by=by, expected_version=lead.version)
            except lead_services.LeadPermissionError as err:
                raise ImportRefused(str(err)) from None


def _create_leads(plan: dict, *, by: User) -> dict[int, Lead]:
    """Insert the rows to create at once, each as `create_lead` would record it. Returns them by row number."""
    entries = [entry for entry in plan.values() if entry.outcome == "created"]
    if not entries:
        return {}
    leads = [lead_services.build_lead(entry.values, by=by) for entry in entries]
    on_record = queries.earliest_matches(leads)  # before inserting: the file's own leads are not "on record"
    insert_leads(leads)
    db.session.execute(insert(LeadEvent), [
        values for lead in leads for values in lead_services.creation_events(lead, by=by)])
    matched = queries.leads_by_id(match.id for match, _reason in on_record if match is not None)
    first_seen: dict[tuple[str, str], tuple[int, Lead]] = {}
    for position, (lead, (match, reason)) in enumerate(zip(leads, on_record, strict=True)):
        # As create_lead links it: the earliest lead on record, else the earliest lead this file added.
        other = matched.get(match.id) if match is not None else None
        keys = queries.identity_keys(lead)
        if other is None:
            earlier = [first_seen[key] for key in keys if key in first_seen]
            if earlier:
                other = min(earlier, key=lambda item: item[0])[1]
                reason = lead_services.collision_reason(lead, other)
        if other is not None:
            for linked in (lead, other):
                if linked not in db.session:
                    db.session.add(linked)
            lead_services.link_to(lead, other, reason, by=by)
        for key in keys:
            first_seen.setdefault(key, (position, lead))
        if lead.source == "web_form":  # create_lead's rule for who hears of a new lead
            db.session.add(lead)
            notices.notify_new_enquiry(lead)
    db.session.flush()
    return {entry.number: lead for entry, lead in zip(entries, leads, strict=True)}


def discard_import(lead_import: LeadImport, *, by: User) -> None:
    """Drop an import that was not committed, with its staged rows."""
    _require_status(lead_import, ("mapping", "preview"))
    db.session.execute(LeadImportRow.__table__.delete().where(LeadImportRow.import_id == lead_import.id))
    lead_import.status = "discarded"
    db.session.flush()


def _require_status(lead_import: LeadImport, allowed: tuple[str, ...]) -> None:
    if lead_import.status not in allowed:
        raise ImportRefused(_l("This import is already committed or discarded."))
