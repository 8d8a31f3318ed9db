"""The floor: what this stack (Flask + SQLAlchemy + Jinja under gunicorn) costs on this machine with no product.

A bare app served with the same gunicorn settings as ParkLeads, on the same database:
- GET /floor/leads lists the same 50 leads as the first page of /leads (newest first, with the owner's name),
  through a plain Jinja template: no sign-in, session, CSRF, translations, rate limits or request logs;
- POST /floor/insert takes a small form and inserts one row into a scratch table (bench_floor_row, created
  here if missing), one commit per request: the cheapest write the database allows.

    DATABASE_URL=sqlite:////tmp/x.db gunicorn --workers 2 'bench.floor:create_floor_app()'

Every ratio in the benchmark's table is a page's time divided by this floor's, measured in the same run.
"""

import os

from flask import Flask, render_template_string, request
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    exc,
    func,
    select,
)

from config import _database_url

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>Leads</title></head><body>
<table><thead><tr><th>Reference</th><th>Company</th><th>Kind</th><th>Stage</th><th>Owner</th>
<th>Planned investment</th><th>Next action</th><th>Created</th></tr></thead><tbody>
{% for lead in leads %}<tr><td><a href="/leads/{{ lead.id }}">ZS-{{ lead.created_at.year }}-{{ '%06d' % lead.id }}</a></td>
<td>{{ lead.company_name }}<div>{{ lead.contact_name }}</div></td><td>{{ lead.kind }}</td><td>{{ lead.stage }}</td>
<td>{{ lead.owner_name or '' }}</td><td>{{ lead.planned_investment_wan or '' }}</td>
<td>{{ lead.next_action_due or '' }} {{ lead.next_action or '' }}</td><td>{{ lead.created_at.date() }}</td></tr>
{% endfor %}</tbody></table></body></html>"""

metadata = MetaData()
scratch = Table(
    "bench_floor_row", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("mobile", String(20)),
    Column("created_at", DateTime, server_default=func.current_timestamp()),
)


def create_floor_app(database_url: str | None = None) -> Flask:
    url = _database_url(database_url or os.environ["DATABASE_URL"])
    engine = create_engine(url, pool_pre_ping=False)
    if engine.dialect.name == "sqlite":  # the same connection settings as the product (crm.core.database)
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA busy_timeout = 15000")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()
    leads = Table("lead", MetaData(), autoload_with=engine)
    users = Table("user", MetaData(), autoload_with=engine)
    prepare(engine)
    page_query = (select(leads.c.id, leads.c.company_name, leads.c.contact_name, leads.c.kind, leads.c.stage,
                         leads.c.planned_investment_wan, leads.c.next_action, leads.c.next_action_due,
                         leads.c.created_at, users.c.name.label("owner_name"))
                  .select_from(leads.outerjoin(users, users.c.id == leads.c.owner_id))
                  .order_by(leads.c.created_at.desc(), leads.c.id.desc()).limit(50))

    app = Flask(__name__)

    @app.get("/floor/leads")
    def floor_leads():
        with engine.connect() as conn:
            rows = conn.execute(page_query).all()
        return render_template_string(PAGE, leads=rows)

    @app.post("/floor/insert")
    def floor_insert():
        with engine.begin() as conn:
            conn.execute(scratch.insert().values(name=request.form.get("company", "")[:200],
                                                 mobile=request.form.get("mobile", "")[:20]))
        return "", 303, {"Location": "/floor/leads"}

    @app.get("/floor/healthz")
    def floor_health():
        return "ok"

    return app


def prepare(engine_or_url) -> None:
    """Create the scratch table (the benchmark calls this before gunicorn starts its workers, which would
    otherwise race to create it)."""
    engine = create_engine(_database_url(engine_or_url)) if isinstance(engine_or_url, str) else engine_or_url
    try:
        scratch.create(engine, checkfirst=True)
    except exc.DatabaseError:  # another worker made it between the check and the CREATE
        with engine.connect() as conn:
            if not engine.dialect.has_table(conn, scratch.name):
                raise
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def scratch_rows(database_url: str) -> int:
    """Rows the bare insert has written so far (0 before its first start)."""
    engine = create_engine(_database_url(database_url))
    try:
        with engine.connect() as conn:
            if not engine.dialect.has_table(conn, scratch.name):
                return 0
            return conn.execute(select(func.count()).select_from(scratch)).scalar_one()
    finally:
        engine.dispose()

