"""Benchmark the PDF briefs: the lead brief in Chinese against its Latin-only twin, and the pipeline report
on a large zone. A benchmark, not a test: it prints medians and says whether the goals are met.

    .venv/bin/python -m bench.briefs                       # 100,000 leads in a temporary SQLite database
    .venv/bin/python -m bench.briefs --leads 5000 --runs 9
    .venv/bin/python -m bench.briefs --database-url postgresql://postgres@127.0.0.1:5432/bench_briefs

A database that already holds at least --leads leads is used as it is (no second seeding), so a large data
set can be measured again quickly. Wall-clock time is what a reader waits; CPU time (this process only, so
without PostgreSQL's share) shows how much of it is ours when the machine is busy with other work, and the
load average is printed for the same reason.

Goals (issue 5): lead brief median ≤ 0.3 s including its queries and ≤ 2× its Latin-only twin; pipeline
report at 100,000 leads under 3 s. Each lead brief is timed from an empty session (the lead and everything
the brief shows are queried again) to the finished PDF bytes.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

LEAD_GOAL_S = 0.3
RATIO_GOAL = 2.0
REPORT_GOAL_S = 3.0

LATIN = {
    "company_name": "Nordhavn Drive Systems GmbH", "contact_name": "Anna Keller", "email": "anna.keller@nordhavn.example",
    "intended_use": "E-axle and inverter assembly for new-energy vehicles", "timing": "First half of next year",
    "sponsoring_leader": "Deputy District Head Liu", "next_action": "Send the land-use plan and the draft agreement",
    "message": "We would like to see the standard factories in Tianyi Science City and discuss incentives.",
}
LATIN_OUTCOMES = (
    "First call: the company confirms its expansion plan and asks about land quotas.",
    "Visited two standard factories with the plant manager; floor load and power fit.",
    "Meeting with the planning office about the red line and the construction schedule.",
    "Sent the incentive policy summary and the draft investment agreement by email.",
    "WeChat follow-up: the board will decide at its next meeting.",
)


def _parse(argv):
    parser = argparse.ArgumentParser(prog="bench.briefs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000, help="demo leads to seed (default 100000)")
    parser.add_argument("--runs", type=int, default=15, help="timed renders of each lead brief")
    parser.add_argument("--report-runs", type=int, default=3, help="timed renders of the pipeline report")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="an EMPTY database to fill (default: a temporary SQLite file)")
    return parser.parse_args(argv)


def _app(database_url: str):
    from config import TestingConfig
    from crm import create_app

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        WTF_CSRF_ENABLED = False
        RATELIMIT_ENABLED = False

    return create_app(BenchConfig)


def _seed(lead_count: int) -> float:
    """Fill the database with the demo zone (crm.demo.seed: bulk inserts, seconds for 100,000 leads)."""
    from crm.demo.seed import seed_demo

    started = time.perf_counter()
    for line in seed_demo(lead_count=lead_count):
        print("  " + line)
    return time.perf_counter() - started


def _pick_pair():
    """A Chinese key lead with a full history, and its Latin-only twin (same figures, same history length)."""
    from sqlalchemy import func, select

    from crm.auth.models import User
    from crm.extensions import db
    from crm.leads import services
    from crm.leads.models import Activity, Lead

    activity_count = (select(func.count(Activity.id)).where(Activity.lead_id == Lead.id).scalar_subquery())
    lead = db.session.scalar(
        select(Lead).where(Lead.stage.in_(("site_visit", "negotiation")), Lead.owner_id.is_not(None))
        .order_by(activity_count.desc(), Lead.id).limit(1)) or db.session.scalar(select(Lead).limit(1))
    owner = lead.owner or db.session.scalar(select(User).where(User.role == "officer").limit(1))
    latin_owner = db.session.scalar(select(User).where(User.email == "li.wei.latin@bench.zone"))
    if latin_owner is None:
        from crm.auth import services as accounts

        latin_owner = accounts.create_user("li.wei.latin@bench.zone", role="officer", name="Li Wei",
                                           password="bench-pass-2026")
    twin = db.session.scalar(select(Lead).where(Lead.company_name == LATIN["company_name"]).limit(1))
    if twin is not None:
        return lead.id, owner.id, twin.id, latin_owner.id
    values = {field: getattr(lead, field) for field in (
        "kind", "source", "mobile", "industry_code", "land_mu", "floor_area_m2", "budget_wan",
        "planned_investment_wan", "expected_output_wan", "expected_tax_wan", "jobs", "priority", "is_key",
        "next_action_due")}
    values.update(LATIN, consent=True, mobile="+4917012345678")
    twin = services.create_lead(values, by=None)
    twin.owner_id = latin_owner.id
    history = db.session.scalar(select(func.count(Activity.id)).where(Activity.lead_id == lead.id)) or 0
    for n in range(history):
        services.log_activity(twin, kind="call", outcome=LATIN_OUTCOMES[n % len(LATIN_OUTCOMES)], by=latin_owner)
    twin.stage = lead.stage
    twin.industry_code = None  # an industry label would be printed in Chinese only if the zone has no English
    db.session.commit()
    return lead.id, owner.id, twin.id, latin_owner.id


def _time_lead_brief(app, lead_id: int, reader_id: int, locale: str) -> tuple[float, float, int]:
    """One lead brief from an empty session to PDF bytes: (wall seconds, CPU seconds, size)."""
    from crm.auth.models import User
    from crm.briefs import services
    from crm.extensions import db
    from crm.leads.models import Lead

    with app.test_request_context(f"/leads/{lead_id}/brief.pdf"):  # a fresh app context: an empty session
        started, cpu = time.perf_counter(), time.process_time()
        lead = db.session.get(Lead, lead_id)
        reader = db.session.get(User, reader_id)
        pdf = services.lead_brief(lead, reader=reader, locale=locale)
        return time.perf_counter() - started, time.process_time() - cpu, len(pdf)


def _time_report(app, reader_id: int) -> tuple[float, float, float, int, int]:
    """One pipeline report: (wall seconds, CPU seconds, wall seconds of its queries alone, size, pages)."""
    from io import BytesIO

    from flask_babel import force_locale
    from pypdf import PdfReader

    from crm.auth.models import User
    from crm.briefs import queries, services
    from crm.extensions import db

    with app.test_request_context("/reports/pipeline.pdf"):
        reader = db.session.get(User, reader_id)
        started = time.perf_counter()
        with force_locale("zh_CN"):
            queries.pipeline_context(reader=reader, language="zh")
        query_s = time.perf_counter() - started
        db.session.remove()
        reader = db.session.get(User, reader_id)
        started, cpu = time.perf_counter(), time.process_time()
        pdf = services.pipeline_report(reader=reader, locale="zh_CN")
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
        return total, cpu, query_s, len(pdf), len(PdfReader(BytesIO(pdf)).pages)


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on this platform
        return "?"


def main(argv=None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    from crm.briefs import fonts

    temp = None
    url = args.database_url
    if not url:
        temp = tempfile.TemporaryDirectory(prefix="bench-briefs-")
        url = f"sqlite:///{Path(temp.name) / 'bench.db'}"
    if url.startswith(("postgres://", "postgresql://")):  # the driver we install is psycopg 3
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    app = _app(url)
    from crm.extensions import db

    print(f"PDF briefs benchmark — WeasyPrint {__import__('weasyprint').__version__}, "
          f"font {fonts.font_path(app.config)}, HarfBuzz subsetting: {'yes' if fonts.harfbuzz_subsetting() else 'NO'}")
    print(f"Database: {url.split('@')[-1]}; load average {_load()}")
    with app.app_context():
        db.create_all()
        from sqlalchemy import func, select

        from crm.leads.models import Lead

        present = db.session.scalar(select(func.count(Lead.id))) or 0
        if present >= args.leads:
            print(f"Using the {present:,} leads already there.")
        else:
            print(f"Seeding {args.leads:,} leads...")
            print(f"  seeded in {_seed(args.leads):.1f} s")
        lead_id, owner_id, twin_id, twin_owner_id = _pick_pair()
        from crm.auth.models import User

        manager_id = db.session.scalar(select(User.id).where(User.role.in_(("manager", "admin"))).limit(1))
        if manager_id is None:
            from crm.auth import services as accounts

            manager_id = accounts.create_user("bench.manager@bench.zone", role="manager", name="王局长",
                                              password="bench-pass-2026").id
            db.session.commit()

    for _ in range(2):  # warm-up: font loading, template compilation, SQL statement caches
        _time_lead_brief(app, lead_id, owner_id, "zh_CN")
        _time_lead_brief(app, twin_id, twin_owner_id, "en")
    chinese, latin = [], []
    for _ in range(args.runs):  # alternate, so both see the same machine load
        chinese.append(_time_lead_brief(app, lead_id, owner_id, "zh_CN"))
        latin.append(_time_lead_brief(app, twin_id, twin_owner_id, "en"))
    zh_median = statistics.median(wall for wall, _, _ in chinese)
    latin_median = statistics.median(wall for wall, _, _ in latin)
    ratio = zh_median / latin_median
    print(f"\nLead brief, {args.runs} runs each (queries + HTML + PDF):")
    for name, runs in (("Chinese   ", chinese), ("Latin twin", latin)):
        walls = [wall for wall, _, _ in runs]
        print(f"  {name}  median {statistics.median(walls):.3f} s (min {min(walls):.3f}, max {max(walls):.3f}), "
              f"CPU median {statistics.median(cpu for _, cpu, _ in runs):.3f} s, {runs[-1][2] / 1024:.0f} KiB")
    print(f"  ratio Chinese / Latin: {ratio:.2f}× "
          f"(CPU {statistics.median(c for _, c, _ in chinese) / statistics.median(c for _, c, _ in latin):.2f}×)")

    reports = [_time_report(app, manager_id) for _ in range(args.report_runs)]
    report_median = statistics.median(wall for wall, *_ in reports)
    print(f"\nPipeline report at {present if present >= args.leads else args.leads:,} leads, "
          f"{args.report_runs} runs:")
    print(f"  median {report_median:.3f} s (CPU {statistics.median(r[1] for r in reports):.3f} s; "
          f"queries alone {statistics.median(r[2] for r in reports):.3f} s), {reports[-1][4]} pages, "
          f"{reports[-1][3] / 1024:.0f} KiB")
    print(f"\nLoad average now {_load()} on {os.cpu_count()} CPUs.")

    goals = [
        (f"lead brief median ≤ {LEAD_GOAL_S} s", zh_median <= LEAD_GOAL_S),
        (f"lead brief ≤ {RATIO_GOAL}× its Latin twin", ratio <= RATIO_GOAL),
        (f"pipeline report < {REPORT_GOAL_S} s" + ("" if args.leads >= 100_000 else " (below 100,000 leads)"),
         report_median < REPORT_GOAL_S),
    ]
    print()
    for name, met in goals:
        print(f"  {'PASS' if met else 'FAIL'}  {name}")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if temp is not None:
        temp.cleanup()
    return 0 if all(met for _, met in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
