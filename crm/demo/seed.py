"""The demo zone (株洲高新区): users, industry chains and believable leads, written with bulk inserts.

`seed_demo()` is what `flask --app wsgi crm seed-demo` runs. Leads, activities, audit events and notices are
made as plain rows by crm.demo.plan and written in bulk (COPY on PostgreSQL, executemany on SQLite), not
through the per-lead services, so `--leads 100000` takes seconds. The story each row tells still obeys the
services' rules: every lead past enquiry has an owner, every lead that reached site_visit has a logged visit,
every signed lead has planned investment, area and expected tax, and each lead's stage history runs
created → contacted → ... in order up to its current stage.
"""

import importlib
import multiprocessing
import queue
import random
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, text

from crm.auth import services as accounts
from crm.auth.models import User
from crm.core.database import utcnow
from crm.demo import names
from crm.demo.plan import Cast, LeadPlanner
from crm.extensions import db
from crm.leads.models import Activity, Industry, Lead, LeadEvent
from crm.notifications.models import Notification

SEED = 2026
PASSWORD = "demo-pass-2026"
# email, name, role: the Makefile prints these logins.
USERS = (
    ("manager@demo.zone", "王局长", "manager"),
    ("li.wei@demo.zone", "李伟", "officer"),
    ("zhang.min@demo.zone", "张敏", "officer"),
    ("chen.jing@demo.zone", "陈静", "officer"),
    ("admin@demo.zone", "系统管理员", "admin"),
)
# Other features add their part of the zone (targets, sites, projects, tax records) after the leads.
# Each module exposes seed(rng, users, leads); a feature that is not installed is skipped.
EXTENSIONS = ("crm.dashboard.demo", "crm.projects.demo")
LEADS_PER_BATCH = 2000
ROWS_PER_INSERT = 5000
# From this many leads on, a forked process makes the rows while this one writes them: on two cores the
# scale data set then takes about half the time. Small runs are not worth a process.
PARALLEL_FROM = 10_000


def database_is_empty() -> bool:
    """True when nobody has an account yet: `seed-demo --if-empty` only fills a brand-new database."""
    return not db.session.scalar(select(func.count(User.id)))


def seed_demo(lead_count: int = 300, *, seed: int = SEED) -> list[str]:
    """Write the demo zone and return summary lines for the console. Commits.

    Running it on a database that already has the demo users reuses them and adds further leads.
    """
    if lead_count < 0:
        raise ValueError("lead_count cannot be negative")
    rng = random.Random(seed)
    started = datetime.now()
    users = ensure_users()
    chains = ensure_industries()
    db.session.flush()
    cast = Cast(manager_id=users["manager"].id, officer_ids=[u.id for u in users["officers"]])
    leads, counts = write_leads(rng, cast, lead_count)
    db.session.commit()
    lead_seconds = (datetime.now() - started).total_seconds()

    summary = [
        f"Demo zone {current_app.config['ZONE_NAME']}: {len(users['all'])} users, {chains} industry chains, "
        f"{lead_count:,} leads, {counts['activities']:,} activities, {counts['events']:,} audit events, "
        f"{counts['collisions']:,} collisions.",
        "Leads by stage: " + ", ".join(f"{stage} {counts[stage]:,}" for stage in (
            "enquiry", "contacted", "site_visit", "negotiation", "signed", "on_hold", "lost")),
    ]
    summary += run_extensions(seed, users, leads)
    summary.append(f"Seeded in {(datetime.now() - started).total_seconds():.1f} s "
                   f"(users and leads {lead_seconds:.1f} s). Sign in as manager@demo.zone / {PASSWORD}.")
    return summary


def ensure_users() -> dict:
    """The five demo accounts, made once.

    Returns a dict: each email → User, "manager" and "admin" → User, "officer" → the first officer,
    "officers" → the three officers, "all" → all five.
    """
    users: dict = {"officers": [], "all": []}
    for email, name, role in USERS:
        user = accounts.find_user(email) or accounts.create_user(email, role=role, name=name, password=PASSWORD)
        users[email] = user
        users["all"].append(user)
        if role == "officer":
            users["officers"].append(user)
        else:
            users[role] = user
    users["officer"] = users["officers"][0]
    return users


def ensure_industries() -> int:
    """The zone's "3+5" industry chains (ZONE.md); existing codes are left as the zone configured them."""
    existing = set(db.session.scalars(select(Industry.code)))
    for position, (code, name_zh, name_en) in enumerate(names.INDUSTRIES):
        if code not in existing:
            db.session.add(Industry(code=code, name_zh=name_zh, name_en=name_en, position=position))
    return len(names.INDUSTRIES)


def write_leads(rng: random.Random, cast: Cast, count: int) -> tuple[list[dict], Counter]:
    """Insert `count` leads with their activities, audit trail and notices. The caller commits.

    Lead ids are given here (so activities can point at them before the database has seen the lead) and
    follow the creation dates, so references read in order; PostgreSQL's sequence is moved past them after.
    """
    connection = db.session.connection()
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        # Nobody else may take an id in the range we are about to fill.
        connection.execute(text("LOCK TABLE lead IN SHARE ROW EXCLUSIVE MODE"))
    first_id = (db.session.scalar(select(func.max(Lead.id))) or 0) + 1
    if first_id > 1:
        # Adding to an existing zone: other draws than last time, and none of the investors already there.
        rng = random.Random(f"{rng.random()}:{first_id}")
    planner = LeadPlanner(rng, cast, now=utcnow(), today=zone_today(), first_id=first_id,
                          utc_offset=zone_offset())
    if first_id > 1:
        for key, mobile, code in db.session.execute(select(Lead.company_key, Lead.mobile, Lead.credit_code)):
            planner.used_keys.add(key)
            planner.used_mobiles.add(mobile)
            planner.used_codes.add(code)
    counts: Counter = Counter()
    leads: list[dict] = []
    pending_notices: list[dict] = []
    writer = BulkWriter(connection)
    try:
        with search_index_rebuilt_after(connection):
            for ready in ready_batches(planner, count, writer):
                for table_rows in ready.tables:
                    writer.send(table_rows)
                counts.update(ready.counts)
                leads += ready.summaries
                pending_notices += ready.notifications
        # In time order, so notice ids follow their dates like everything else.
        pending_notices.sort(key=lambda n: n["created_at"])
        writer.write(Notification.__table__, pending_notices)
    finally:
        writer.close()
    if postgres:
        connection.execute(text(
            "SELECT setval(pg_get_serial_sequence('lead', 'id'), (SELECT COALESCE(MAX(id), 1) FROM lead))"))
    return leads, counts


@contextmanager
def search_index_rebuilt_after(connection):
    """On SQLite, load leads without the per-row trigger of the lead search index, then rebuild it once.

    crm.core.search keeps an FTS5 trigram index in step with `lead` through an insert trigger. Row by row
    inside one large transaction that costs more the more rows there are (100,000 leads: about 40 s of the
    load); one 'rebuild' afterwards takes a second or two. Dropping the trigger is part of the transaction,
    so if the load fails the rollback restores it; on success search.sqlite_fts_ddl() puts the triggers back
    exactly as the migration made them and rebuilds the index.
    """
    try:
        from crm.core import search
    except ImportError:  # an installation without the search index
        search = None
    trigger = f"{search.FTS_TABLE}_ai" if search else None
    if connection.dialect.name != "sqlite" or trigger is None or connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)).first() is None:
        yield
        return
    connection.exec_driver_sql(f'DROP TRIGGER "{trigger}"')
    yield
    for statement in search.sqlite_fts_ddl():
        connection.exec_driver_sql(statement)


@dataclass
class Ready:
    """One planned batch made ready for the database: rows converted for the driver, plus what the
    summary and the extensions need. Small and cheap to pickle, so a child process can make it."""

    tables: list
    summaries: list[dict]
    counts: Counter
    notifications: list[dict]


def _ready(batch, writer: "BulkWriter") -> Ready:
    counts = Counter(activities=len(batch.activities), events=len(batch.events))
    for row in batch.leads:
        counts[row["stage"]] += 1
        counts["collisions"] += row["collides_with_id"] is not None
    return Ready(tables=[writer.prepare(Lead.__table__, batch.leads),
                         writer.prepare(Activity.__table__, batch.activities),
                         writer.prepare(LeadEvent.__table__, batch.events)],
                 summaries=[summary_of(row) for row in batch.leads], counts=counts,
                 notifications=batch.notifications)


def ready_batches(planner: LeadPlanner, count: int, writer: "BulkWriter"):
    """The planner's batches in order, ready to send: made here, or for large runs in a forked process
    (the same rows; it plans and converts while this process writes)."""
    draws = planner.draws(count)
    slices = [draws[start:start + LEADS_PER_BATCH] for start in range(0, count, LEADS_PER_BATCH)]
    if count < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        for part in slices:
            yield _ready(planner.batch(part), writer)
        return
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=4)
    # The child only computes rows (writer.prepare touches no connection): it never uses the inherited
    # database connection, and multiprocessing ends it with os._exit, so no finaliser of ours runs there.
    worker = context.Process(target=_plan_in_child, args=(planner, slices, writer, channel), daemon=True)
    worker.start()
    try:
        for _ in slices:
            while True:
                try:
                    item = channel.get(timeout=1)
                    break
                except queue.Empty:
                    if not worker.is_alive():
                        raise RuntimeError("the demo row planner stopped unexpectedly") from None
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        worker.join(timeout=5)  # at once when every batch arrived; a child stuck on a full queue is killed
        if worker.is_alive():
            worker.kill()


def _plan_in_child(planner: LeadPlanner, slices, writer: "BulkWriter", channel) -> None:
    try:
        for part in slices:
            channel.put(_ready(planner.batch(part), writer))
    except Exception as err:  # hand it to the parent, which raises it
        channel.put(RuntimeError(f"planning demo rows failed: {err!r}"))


class BulkWriter:
    """Writes lists of row dicts in the fastest way each database offers.

    PostgreSQL gets COPY; SQLite gets the driver's executemany with values already converted by the column
    types' own bind processors (so rows are stored exactly as the ORM would store them, without Core's
    per-row bookkeeping); any other database gets a Core executemany.
    """

    def __init__(self, connection):
        self.connection = connection
        self.dialect = connection.dialect
        if self.dialect.name == "postgresql" and self.dialect.driver == "psycopg":
            self.mode = "copy"
        elif self.dialect.paramstyle == "qmark":
            self.mode = "executemany"
        else:
            self.mode = "core"
        if self.dialect.name == "sqlite":
            # Two dozen indexes on lead: with SQLite's default 2 MB page cache a large run spends much of
            # its time re-reading index pages. This connection goes back to the pool afterwards, so the
            # setting is undone in close().
            self._cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
            connection.exec_driver_sql("PRAGMA cache_size = -262144")

    def close(self) -> None:
        if self.dialect.name == "sqlite":
            self.connection.exec_driver_sql(f"PRAGMA cache_size = {int(self._cache_size)}")

    def write(self, table, rows: list[dict]) -> None:
        self.send(self.prepare(table, rows))

    def prepare(self, table, rows: list[dict]) -> "TableRows":
        """The rows as the driver will take them. Uses no connection, so a child process may call it."""
        if not rows:
            return TableRows(table.name, (), [])
        columns = tuple(rows[0])
        if self.mode == "copy":
            values = itemgetter(*columns)
            return TableRows(table.name, columns, [values(row) for row in rows])
        if self.mode == "executemany":
            return TableRows(table.name, columns, self._converted(table, columns, rows))
        return TableRows(table.name, columns, rows)

    def send(self, prepared: "TableRows") -> None:
        if not prepared.rows:
            return
        quote = self.dialect.identifier_preparer.quote
        name, column_list = quote(prepared.table), ", ".join(quote(column) for column in prepared.columns)
        if self.mode == "copy":
            cursor = self.connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {name} ({column_list}) FROM STDIN") as copy:
                for row in prepared.rows:
                    copy.write_row(row)
        elif self.mode == "executemany":
            sql = f"INSERT INTO {name} ({column_list}) VALUES ({', '.join('?' * len(prepared.columns))})"
            for start in range(0, len(prepared.rows), ROWS_PER_INSERT):
                self.connection.exec_driver_sql(sql, prepared.rows[start:start + ROWS_PER_INSERT])
        else:
            table = db.metadata.tables[prepared.table]
            for start in range(0, len(prepared.rows), ROWS_PER_INSERT):
                self.connection.execute(table.insert(), prepared.rows[start:start + ROWS_PER_INSERT])

    def _converted(self, table, columns, rows) -> list[tuple]:
        """Tuples with each value passed through its column type's bind processor for this database."""
        values = itemgetter(*columns)
        processors = []
        for index, column in enumerate(columns):
            column_type = table.c[column].type
            processor = column_type.dialect_impl(self.dialect).bind_processor(self.dialect)
            if processor is not None:
                processors.append((index, _quicker(column_type, processor)))
        converted = []
        for row in rows:
            row_values = list(values(row))
            for index, processor in processors:
                row_values[index] = processor(row_values[index])
            converted.append(tuple(row_values))
        return converted


@dataclass
class TableRows:
    """Rows for one table, in the shape BulkWriter.send wants."""

    table: str
    columns: tuple
    rows: list


# SQLite stores dates and times as ISO text; these C-level formatters write the same text several times
# faster than the generic processors. _quicker() only uses one after checking it matches.
_ISO_FORMATTERS = {
    datetime: (datetime(2026, 1, 2, 3, 4, 5, 6), lambda v: None if v is None else v.isoformat(" ", "microseconds")),
    date: (date(2026, 1, 2), lambda v: None if v is None else v.isoformat()),
}


def _quicker(column_type, processor):
    try:
        sample, formatter = _ISO_FORMATTERS[column_type.python_type]
    except (KeyError, NotImplementedError):
        return processor
    return formatter if processor(sample) == formatter(sample) and processor(None) is None else processor


SUMMARY_FIELDS = ("id", "stage", "kind", "source", "company_name", "credit_code", "contact_name", "mobile",
                  "industry_code", "owner_id", "is_key", "sponsoring_leader", "planned_investment_wan",
                  "land_mu", "floor_area_m2", "expected_output_wan", "expected_tax_wan", "jobs", "created_at",
                  "stage_entered_at")


def summary_of(row: dict) -> dict:
    """What extensions get to know about a lead (see run_extensions)."""
    summary = {name: row[name] for name in SUMMARY_FIELDS}
    summary["reference"] = f"ZS-{row['created_at'].year}-{row['id']:06d}"
    return summary


def run_extensions(seed: int, users: dict, leads: list[dict]) -> list[str]:
    """Let each installed feature add its demo data, then commit it.

    Each module in EXTENSIONS is called as `seed(rng, users, leads)`:
    - rng: a random.Random of its own (seeded from the demo seed and the module name), so one feature's
      draws never shift another's;
    - users: the dict from ensure_users (email → User, "manager", "admin", "officer", "officers", "all");
    - leads: one dict per lead written by this run, oldest first, with the keys in SUMMARY_FIELDS
      (id, stage, kind, source, company_name, credit_code, contact_name, mobile, industry_code, owner_id,
      is_key, sponsoring_leader, planned_investment_wan, land_mu, floor_area_m2, expected_output_wan,
      expected_tax_wan, jobs (Decimal/int or None), created_at, stage_entered_at (naive UTC)) plus
      "reference". Signed leads (stage == "signed") carry planned investment, an area and expected tax.
    It may return summary lines (a list of str) to print; the seed commits after it.
    """
    lines = []
    for module_path in EXTENSIONS:
        try:
            module = importlib.import_module(module_path)
        except ModuleNotFoundError as err:
            if err.name and module_path.startswith(err.name) and module_path[len(err.name):][:1] in ("", "."):
                continue  # that feature is not part of this installation
            raise
        started = datetime.now()
        result = module.seed(random.Random(f"{seed}:{module_path}"), users, leads)
        db.session.commit()
        lines += [line for line in (result or []) if isinstance(line, str)]
        seconds = (datetime.now() - started).total_seconds()
        if seconds >= 1:
            lines.append(f"({module_path}: {seconds:.1f} s)")
    return lines


def _zone():
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")


def zone_today():
    """Today in the zone's time zone: due dates are office calendar days."""
    return datetime.now(_zone()).date()


def zone_offset() -> int:
    """The zone's offset from UTC in seconds (China keeps no summer time)."""
    return int(datetime.now(_zone()).utcoffset().total_seconds())
