"""INSERT built leads without the ORM's unit of work.

A new lead has some forty columns; flushing it through the unit of work cost more than the row itself, and
every public enquiry pays it (issue 8), as does every row of an import. So built leads (services.build_lead)
go in as one Core INSERT and come back as persistent-ready objects with every column loaded.
"""

from sqlalchemy import insert, select
from sqlalchemy.orm import make_transient_to_detached

from crm.extensions import db
from crm.leads.models import Lead


def insert_leads(leads: list[Lead]) -> None:
    """INSERT the built leads and give each its id; they come back detached (add them to the session to
    change them further).

    One lead comes back through RETURNING. Several go in as one multi-row INSERT: matching generated ids to
    rows would need an ordered RETURNING, which SQLite does not promise, so their ids are read back by
    status token (unique and random).
    """
    if not leads:
        return
    columns = _columns(leads)
    rows = [_row(lead, columns) for lead in leads]
    table = Lead.__table__
    if len(leads) == 1:
        # The row as parameters, not .values(): one cached statement instead of a new one per lead; on the
        # session's connection, since a Core INSERT needs nothing of the ORM's execution layer.
        leads[0].id = db.session.connection().execute(insert(table).returning(table.c.id), rows[0]).scalar_one()
    else:
        db.session.execute(insert(table), rows)
        by_token = {lead.status_token: lead for lead in leads}
        tokens = list(by_token)
        for start in range(0, len(tokens), 500):
            chunk = tokens[start:start + 500]
            for lead_id, token in db.session.execute(select(Lead.id, Lead.status_token)
                                                     .where(Lead.status_token.in_(chunk))):
                by_token[token].id = lead_id
    for lead in leads:
        make_transient_to_detached(lead)


def _columns(leads: list[Lead]) -> list:
    # Every column gets a value (its default when build_lead left it unset), so no attribute of the inserted
    # leads is left to load; only a column with nothing but a server default is left to the database.
    return [c for c in Lead.__table__.columns if c.key != "id" and not (
        c.default is None and c.server_default is not None and not any(c.key in vars(lead) for lead in leads))]


def _row(lead: Lead, columns: list) -> dict:
    state = vars(lead)
    for column in columns:
        if column.key not in state:
            state[column.key] = _default(column)  # straight into the (still transient) instance's dict
    lead.version = 1  # the counter starts at 1 on insert (version_id_col)
    return {column.key: state[column.key] for column in columns}


def _default(column):
    """A column's Python-side default value, as an INSERT would apply it."""
    default = column.default
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)
    return default.arg if default.is_scalar else None
