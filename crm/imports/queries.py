"""Reads for lead imports: matches on record for many rows at once, the preview's rows and counts."""

from collections.abc import Iterable, Sequence
from types import SimpleNamespace

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload

from crm.auth.models import User
from crm.core.pagination import Page, paginate
from crm.extensions import db
from crm.imports.models import LeadImport, LeadImportRow
from crm.leads import services as lead_services
from crm.leads.identity import normalise_company
from crm.leads.models import Lead

_CHUNK = 500  # values per IN (...): well inside every database's parameter limit
STATES = ("error", "collision", "duplicate", "new")


def _chunks(values: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def identity_keys(lead) -> list[tuple[str, str]]:
    """The keys `find_collision` matches on: mobile, credit code, and a company key of two or more letters."""
    keys = []
    if lead.mobile:
        keys.append(("mobile", lead.mobile))
    if lead.credit_code:
        keys.append(("credit_code", lead.credit_code))
    if lead.company_key and len(lead.company_key) >= 2:
        keys.append(("company_key", lead.company_key))
    return keys


def preview_keys(values: dict) -> SimpleNamespace:
    """The identity keys of a checked row, for the preview. The lead form has already normalised the mobile
    and credit code as `_identity_keys` does, so only the company key is left to compute; the commit
    builds real leads (`build_lead`) and matches them again, exactly."""
    return SimpleNamespace(mobile=values.get("mobile") or None, credit_code=values.get("credit_code") or None,
                           company_key=normalise_company(values.get("company_name"))[:200])


def earliest_matches(leads: Sequence) -> list[tuple[object | None, str | None]]:
    """For each new (unsaved) lead, the earliest lead on record it collides with and why, as
    `services.find_collision` would answer it, but in a few queries for the whole list.

    The match is a row with id, created_at, mobile, credit_code, company_key and owner_id.
    """
    wanted: dict[str, set] = {"mobile": set(), "credit_code": set(), "company_key": set()}
    for lead in leads:
        for column, value in identity_keys(lead):
            wanted[column].add(value)
    columns = (Lead.id, Lead.created_at, Lead.mobile, Lead.credit_code, Lead.company_key, Lead.owner_id)
    earliest: dict[tuple[str, str], object] = {}
    for column, values in wanted.items():
        attribute = getattr(Lead, column)
        for chunk in _chunks(sorted(values)):
            for row in db.session.execute(select(*columns).where(attribute.in_(chunk))):
                key = (column, getattr(row, column))
                known = earliest.get(key)
                if known is None or (row.created_at, row.id) < (known.created_at, known.id):
                    earliest[key] = row
    results = []
    for lead in leads:
        candidates = [earliest[key] for key in identity_keys(lead) if key in earliest]
        if not candidates:
            results.append((None, None))
            continue
        match = min(candidates, key=lambda row: (row.created_at, row.id))
        results.append((match, lead_services.collision_reason(lead, match)))
    return results


def state_expression():
    """SQL for LeadImportRow.state."""
    return case(
        (LeadImportRow.errors_json.is_not(None), "error"),
        (LeadImportRow.match_lead_id.is_not(None), "collision"),
        (LeadImportRow.duplicate_of.is_not(None), "duplicate"),
        else_="new")


def state_counts(lead_import: LeadImport) -> dict[str, int]:
    """How many of the import's rows are errors, collisions, in-file duplicates and new, counted in SQL."""
    state = state_expression()
    rows = db.session.execute(select(state, func.count()).where(LeadImportRow.import_id == lead_import.id)
                              .group_by(state))
    counts = dict.fromkeys(STATES, 0)
    counts.update({name: count for name, count in rows})
    return counts


def choice_counts(lead_import: LeadImport) -> dict[str, int]:
    """How many collisions and duplicates are set to skip, merge and create."""
    rows = db.session.execute(
        select(LeadImportRow.choice, func.count())
        .where(LeadImportRow.import_id == lead_import.id, LeadImportRow.choice.is_not(None))
        .group_by(LeadImportRow.choice))
    return dict(rows.all())


def outcome_counts(lead_import: LeadImport) -> dict[str, int]:
    rows = db.session.execute(
        select(LeadImportRow.outcome, func.count())
        .where(LeadImportRow.import_id == lead_import.id).group_by(LeadImportRow.outcome))
    return {outcome: count for outcome, count in rows if outcome}


def rows_query(lead_import: LeadImport, show: str = "") -> Select:
    """The import's rows in file order; `show` keeps one state (error, collision, duplicate, new) or outcome."""
    query = select(LeadImportRow).where(LeadImportRow.import_id == lead_import.id)
    if show in STATES:
        query = query.where(state_expression() == show)
    elif show == "attention":  # what the person must look at before committing
        query = query.where(state_expression() != "new")
    elif show in ("created", "merged", "skipped"):
        query = query.where(LeadImportRow.outcome == show)
    return query.order_by(LeadImportRow.number)


def row_page(lead_import: LeadImport, show: str, page: int, per_page: int = 100) -> Page:
    """One page of rows, with the leads they made or match loaded in two queries (not one per row)."""
    query = rows_query(lead_import, show).options(selectinload(LeadImportRow.lead),
                                                  selectinload(LeadImportRow.match_lead))
    return paginate(query, page, per_page)


def sample_rows(lead_import: LeadImport, count: int = 3) -> list[list[str]]:
    """The first rows' cells, shown beside each column on the mapping page."""
    rows = db.session.scalars(select(LeadImportRow).where(LeadImportRow.import_id == lead_import.id)
                              .order_by(LeadImportRow.number).limit(count))
    return [row.cells for row in rows]


def leads_by_id(ids) -> dict[int, Lead]:
    ids = sorted({i for i in ids if i})
    found = {}
    for chunk in _chunks(ids):
        found.update({lead.id: lead for lead in db.session.scalars(select(Lead).where(Lead.id.in_(chunk)))})
    return found


def imports_for(user: User, page: int, per_page: int = 50) -> Page:
    """Imports newest first: a manager sees everyone's, an officer their own."""
    query = select(LeadImport).where(LeadImport.status != "discarded")
    if not user.is_manager:
        query = query.where(LeadImport.user_id == user.id)
    return paginate(query.order_by(LeadImport.created_at.desc(), LeadImport.id.desc()), page, per_page)
