"""The scale data set of issue 8: 100,000 leads with activities, 10,000 projects, 200,000 tax records.

The demo seed (crm.demo.seed, bulk inserts) writes the leads, their activities, audit trail and notices, and a
project for each signed lead (about 8,000 at 100,000 leads). This module tops the register up to the wanted
number of projects (each with its five milestones, planned and some reached) and the tax office's records
up to the wanted number (quarterly VAT and corporate income tax of the zone's taxpayers, most of them
projects of the register), then runs ANALYZE (VACUUM ANALYZE on PostgreSQL) so the planner knows the
tables' shapes, as after any bulk load.

    .venv/bin/python -m bench.dataset sqlite:////tmp/scale.db            # 100,000 / 10,000 / 200,000
    .venv/bin/python -m bench.dataset postgresql://postgres@127.0.0.1:5432/bench --leads 1000
"""

import argparse
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

LEADS, PROJECTS, TAX_RECORDS = 100_000, 10_000, 200_000
SECRET = "bench-only-secret"
TAX_KINDS = ("vat", "corporate_income", "individual_income", "urban_maintenance")


def bench_app(database_url: str):
    """The product's app on `database_url`, as the benchmark's own processes use it."""
    from config import DevelopmentConfig, _database_url
    from crm import create_app

    class BenchConfig(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(database_url)
        SECRET_KEY = SECRET

    return create_app(BenchConfig)


def build(database_url: str, *, leads: int = LEADS, projects: int = PROJECTS, tax_records: int = TAX_RECORDS,
          echo=print) -> dict:
    """Migrate the EMPTY database at `database_url` and fill it; returns what it holds and how long it took."""
    from flask_migrate import upgrade

    from crm.extensions import db

    app = bench_app(database_url)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        from crm.demo.seed import seed_demo

        for line in seed_demo(lead_count=leads):
            echo("  " + line)
        added = top_up_projects(projects)
        taxed = top_up_tax(tax_records)
        db.session.commit()
        analyze()
        counts = table_counts()
        db.session.remove()
        db.engine.dispose()
    counts["seconds"] = round(time.perf_counter() - started, 1)
    echo(f"  topped up {added:,} projects and {taxed:,} tax records; "
         + ", ".join(f"{name} {n:,}" for name, n in counts.items() if name != "seconds")
         + f" in {counts['seconds']} s")
    return counts


def table_counts() -> dict:
    from sqlalchemy import func, select

    from crm.extensions import db
    from crm.leads.models import Activity, Lead
    from crm.projects.models import Project
    from crm.tax.models import TaxRecord

    return {name: db.session.scalar(select(func.count()).select_from(model)) for name, model in (
        ("leads", Lead), ("activities", Activity), ("projects", Project), ("tax_records", TaxRecord))}


def analyze() -> None:
    from sqlalchemy import text

    from crm.extensions import db

    db.session.commit()
    # PostgreSQL: VACUUM too, as autovacuum would soon after a bulk load; it sets the visibility map that
    # index-only scans need.
    postgres = db.engine.dialect.name == "postgresql"
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("VACUUM ANALYZE" if postgres else "ANALYZE"))
        if postgres:
            # Write the bulk load's dirty pages out now, not during the measurements (superusers and
            # pg_checkpoint members only; without the right the first checkpoint simply comes later).
            try:
                conn.execute(text("CHECKPOINT"))
            except Exception:  # noqa: BLE001 - any refusal leaves the data set as it is
                pass


def top_up_projects(wanted: int) -> int:
    """Add projects (with milestones, capital and some tax, as the demo's own history) up to `wanted`."""
    from sqlalchemy import func, select

    from crm.extensions import db
    from crm.projects import demo
    from crm.projects.models import Project

    have = db.session.scalar(select(func.count(Project.id))) or 0
    missing = max(0, wanted - have)
    if not missing:
        return 0
    rng = random.Random(f"bench:{have}")
    from crm.auth.models import User

    officers = list(db.session.scalars(select(User.id).where(User.role == "officer"))) or [None]
    writer = demo.Writer(db.session.connection(), demo.zone_today(), None)
    industries = [code for code, *_ in __import__("crm.demo.names", fromlist=["INDUSTRIES"]).INDUSTRIES]
    phases = ("signed",) * 6 + ("started",) * 2 + ("completed", "in_production", "planned")
    for n in range(missing):
        brand, trade, _industry = demo.INVENTED[n % len(demo.INVENTED)]
        company = f"湖南{brand}{trade}{n:05d}有限公司"
        phase = rng.choice(phases)
        mu = rng.choice((10, 20, 30, 50, 80))
        signed_on = None if phase == "planned" else writer.today - timedelta(days=rng.randint(60, 5 * 365))
        project = writer.project(
            name=f"{brand}{trade}扩能项目{n:05d}", company_name=company, credit_code=demo._credit(rng),
            industry_code=rng.choice(industries), phase=phase, investment_wan=demo._money(mu * 500),
            land_mu=demo._money(mu), promised_tax_wan=demo._money(mu * rng.choice((20, 30, 40))),
            jobs=mu * 4, owner_id=rng.choice(officers), is_key=rng.random() < 0.1,
            created_at=demo.datetime.combine(signed_on or writer.today, demo.datetime.min.time()))
        demo._history_milestones(rng, writer, project, signed_on)
    writer.write()
    return missing


def top_up_tax(wanted: int) -> int:
    """Add the tax office's quarterly records up to `wanted`: the register's taxpayers first (linked to
    their project), then companies the zone has no project for."""
    from sqlalchemy import func, select

    from crm.core.database import utcnow
    from crm.demo.seed import BulkWriter
    from crm.extensions import db
    from crm.leads.identity import credit_code_with_check, normalise_company
    from crm.projects.models import Project
    from crm.tax.models import TaxRecord

    have = db.session.scalar(select(func.count(TaxRecord.id))) or 0
    missing = max(0, wanted - have)
    if not missing:
        return 0
    taken = set(db.session.execute(select(TaxRecord.taxpayer_key, TaxRecord.period, TaxRecord.kind)))
    payers = [(credit, name, pid) for pid, credit, name in db.session.execute(
        select(Project.id, Project.credit_code, Project.company_name).where(Project.credit_code.is_not(None))
        .order_by(Project.id))]
    rng = random.Random("bench:tax")
    today = date.today()
    periods = [(year, quarter) for year in range(today.year - 3, today.year) for quarter in (1, 2, 3, 4)]
    now = utcnow()
    rows, n = [], 0
    while len(rows) < missing:
        if n < len(payers):
            credit, name, project_id = payers[n]
        else:
            credit = credit_code_with_check(f"91430299{n:09d}")
            name, project_id = f"株洲市纳税企业{n:06d}有限公司", None
        n += 1
        key = normalise_company(name)
        for year, quarter in periods:
            for kind in TAX_KINDS:
                if len(rows) >= missing:
                    break
                period = f"{year}Q{quarter}"
                if (credit, period, kind) in taken:
                    continue
                rows.append({"taxpayer_key": credit, "credit_code": credit, "company_name": name,
                             "company_key": key, "project_id": project_id, "period": period, "year": year,
                             "quarter": quarter, "month": None, "kind": kind,
                             "amount_wan": Decimal(str(round(rng.uniform(1, 400), 4))), "import_id": None,
                             "created_at": now, "updated_at": now})
    writer = BulkWriter(db.session.connection())
    for start in range(0, len(rows), 20_000):
        writer.write(TaxRecord.__table__, rows[start:start + 20_000])
    writer.close()
    return len(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench.dataset", description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", help="an EMPTY database")
    parser.add_argument("--leads", type=int, default=LEADS)
    parser.add_argument("--projects", type=int, default=PROJECTS)
    parser.add_argument("--tax-records", type=int, default=TAX_RECORDS)
    args = parser.parse_args(argv)
    build(args.database_url, leads=args.leads, projects=args.projects, tax_records=args.tax_records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
