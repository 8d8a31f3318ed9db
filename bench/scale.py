"""The scale benchmark of issue 8: the product at 100,000 leads under gunicorn and wrk, against the floor.

    .venv/bin/python -m bench                      # = python -m bench.scale: SQLite, then PostgreSQL if reachable
    .venv/bin/python -m bench.scale --backends sqlite --seconds 2        # quicker
    .venv/bin/python -m bench.scale --postgres postgresql://postgres@127.0.0.1:5432/postgres

For each database it builds the data set once (bench/dataset.py: 100,000 leads with activities, 10,000
projects, 200,000 tax records, and a 1,000-lead zone for the growth ratios), then serves, with the same
gunicorn settings (gunicorn.conf.py, 2 sync workers), the product on both zones and the floor
(bench/floor.py) on the large one, all on 127.0.0.1. wrk (bench/load.py) loads one URL at a time: first one
client for --seconds (latency: p50, p95), then 8 clients for --seconds (throughput: requests/s). The
manager is signed in (the session cookie goes with every request); POST /enquiry carries the form's CSRF
token and a distinct company and mobile each time.

Every ratio is taken against the floor measured in the same run (measured before and after the pages; the
mean is used), because the machine may be shared: the load average is printed and saved with the results.
Results: bench/results/<timestamp>.json. Exit status 1 when a goal of issue 8 is missed.

Rate limits stay on (their cost is part of a request's), with the enquiry limit raised for the run
(CRM_RATELIMIT_ENQUIRY); the dashboard keeps its 5-minute figure cache, as in production.
"""

import argparse
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import dataset, load

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
MANAGER = "manager@demo.zone"
PASSWORD = "demo-pass-2026"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
GOALS = {
    "leads_p50_vs_floor": 3.0,      # /leads p50 ≤ 3 × the bare page's p50
    "leads_p95_ms": 50.0,
    "search_p95_ms": 100.0,
    "detail_p95_ms": 50.0,
    "growth": 1.5,                  # page time at 100k ≤ 1.5 × page time at 1k (list, detail, create)
    "enquiry_rps": 200.0,           # accepted POST /enquiry per second at 8 clients
    "worker_rss_mb": 200.0,
}


def _parse(argv):
    parser = argparse.ArgumentParser(prog="bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default both; PostgreSQL is skipped with a "
                             "message when it does not answer)")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
                        help="a PostgreSQL server (a superuser URL; two scratch databases are made and dropped)")
    parser.add_argument("--leads", type=int, default=dataset.LEADS)
    parser.add_argument("--small", type=int, default=1_000, help="leads of the small zone (growth ratios)")
    parser.add_argument("--projects", type=int, default=dataset.PROJECTS)
    parser.add_argument("--tax-records", type=int, default=dataset.TAX_RECORDS)
    parser.add_argument("--seconds", type=float, default=3, help="each wrk run (default 3)")
    parser.add_argument("--clients", type=int, default=8, help="clients of the throughput runs (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/<timestamp>.json")
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------------------------------------
# Databases and servers
# ---------------------------------------------------------------------------------------------------------

class Databases:
    """Two empty databases (large and small zone) of one kind, removed afterwards."""

    def __init__(self, backend: str, postgres_url: str, folder: Path):
        self.backend = backend
        self._drop = []
        if backend == "sqlite":
            import sqlite3

            self.large = f"sqlite:///{folder / 'large.db'}"
            self.small = f"sqlite:///{folder / 'small.db'}"
            self.version = f"SQLite {sqlite3.sqlite_version}"
            return
        import psycopg

        from crm.core.database import scratch_postgresql

        with psycopg.connect(postgres_url) as conn:
            number = conn.info.server_version  # e.g. 150020
        self.version = f"PostgreSQL {number // 10000}.{number % 10000}"
        self.large, drop_large = scratch_postgresql(postgres_url, "parkleads_bench_large")
        self.small, drop_small = scratch_postgresql(postgres_url, "parkleads_bench_small")
        self._drop = [drop_large, drop_small]

    def close(self) -> None:
        for drop in self._drop:
            drop()


def postgres_answers(url: str) -> bool:
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        with psycopg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                             password=parsed.password, dbname=parsed.database or "postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn -c gunicorn.conf.py on 127.0.0.1 with N sync workers."""

    def __init__(self, app: str, database_url: str, workers: int, log_path: Path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=dataset.SECRET, CRM_ENV="development",
                   CRM_LOCALE="zh_CN", CRM_RATELIMIT_ENQUIRY="1000000/minute", WEB_CONCURRENCY=str(workers),
                   GUNICORN_BIND=f"127.0.0.1:{self.port}", GUNICORN_ACCESS_LOG="off",
                   GUNICORN_LOG_LEVEL="warning", PYTHONPATH=str(ROOT),
                   # No recycling mid-run: a worker restarting (a second or two of imports) inside some page's
                   # 3-second window would charge that page for it. The RSS goal is then read after the whole
                   # run, with nothing reset.
                   GUNICORN_MAX_REQUESTS="0")
        env.pop("REDIS_URL", None)  # limits in memory and jobs inline: one machine, nothing else in the way
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen([str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), app], cwd=ROOT,
                                        env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait(self, path: str, timeout: float = 90) -> None:
        import requests

        deadline = time.monotonic() + timeout
        session = _session()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                if session.get(self.base + path, timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.base}{path} did not answer in time")

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker (the master's children), in MB."""
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            ppid = re.search(r"^PPid:\s+(\d+)", text, re.M)
            rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
            if ppid and rss and int(ppid.group(1)) == self.process.pid:
                sizes.append(round(int(rss.group(1)) / 1024, 1))
        return sorted(sizes)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def _session():
    import requests

    session = requests.Session()
    session.trust_env = False  # 127.0.0.1 directly, whatever proxy the environment names
    return session


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1) or match.group(2)


def sign_in(base: str) -> str:
    """Sign the manager in; the Cookie header that carries the session."""
    session = _session()
    token = _csrf(session.get(base + "/login", timeout=30).text)
    response = session.post(base + "/login", data={"email": MANAGER, "password": PASSWORD, "csrf_token": token},
                            allow_redirects=False, timeout=30)
    if response.status_code != 302:
        raise RuntimeError(f"sign-in failed with {response.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def enquiry_form(base: str) -> tuple[str, str]:
    """(Cookie header, form body template) of an investor's session on the public form."""
    session = _session()
    token = _csrf(session.get(base + "/enquiry", timeout=30).text)
    body = load.form_body({
        "need": "factory_rental", "use": "电机控制器装配", "expected_tax": "120", "company": "压测电驱{n}科技有限公司",
        "contact_name": "测试员", "mobile": "139{n8}", "area": "3000", "investment": "8000",
        "message": "希望租用标准厂房", "consent": "y", "csrf_token": token})
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies), body


# ---------------------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------------------

def _zone_facts(database_url: str) -> dict:
    """A lead in the middle of the zone (with a full history), a search term, a filter, the lead count."""
    from sqlalchemy import func, select

    from crm.extensions import db
    from crm.leads.models import Activity, Lead

    app = dataset.bench_app(database_url)
    with app.app_context():
        top = db.session.scalar(select(func.max(Lead.id))) or 1
        lead_id = db.session.scalar(
            select(Activity.lead_id).where(Activity.lead_id >= top // 2).group_by(Activity.lead_id)
            .having(func.count() >= 3).order_by(Activity.lead_id).limit(1)) or top // 2
        contact = db.session.scalar(select(Lead.contact_name).where(Lead.id == top // 3)) or "王"
        leads = db.session.scalar(select(func.count(Lead.id)))
        db.session.remove()
        db.engine.dispose()
    return {"lead_id": lead_id, "search": contact, "leads": leads}


def _leads_like(database_url: str, prefix: str) -> int:
    from sqlalchemy import func, select

    from crm.extensions import db
    from crm.leads.models import Lead

    app = dataset.bench_app(database_url)
    with app.app_context():
        n = db.session.scalar(select(func.count(Lead.id)).where(Lead.company_name.like(prefix + "%")))
        db.session.remove()
        db.engine.dispose()
    return n


def measure(label: str, url: str, *, seconds: float, clients: int, floor: dict, cookie: str = "",
            method: str = "GET", body: str = "", echo=print) -> dict:
    """Warm the page up (both workers), then: the floor with one client, the page with one client (latency,
    compared with that floor measured just before it), the page with `clients` clients (throughput).

    `floor` holds url/method/body of the floor to compare with (the bare page or the bare insert). Measuring
    it beside each page keeps each ratio honest on a machine whose load changes from minute to minute.
    """
    options = {"cookie": cookie, "method": method, "body": body}
    warm = load.run(url, connections=2, seconds=1, **options)
    base = load.run(floor["url"], connections=1, seconds=seconds, method=floor.get("method", "GET"),
                    body=floor.get("body", ""))
    one = load.run(url, connections=1, seconds=seconds, **options)
    many = load.run(url, connections=clients, seconds=seconds, **options)
    measured = one.requests > 0 and base.requests > 0
    row = {"label": label, "url": "/" + url.split("127.0.0.1:")[-1].split("/", 1)[-1], "one": one.as_dict(),
           "many": many.as_dict(), "floor": base.as_dict(), "warm": warm.as_dict(), "p50_ms": one.p50_ms if one.requests else None,
           "p95_ms": one.p95_ms if one.requests else None, "floor_p50_ms": base.p50_ms if base.requests else None,
           "ratio": one.p50_ms / base.p50_ms if measured and base.p50_ms else None,
           "rps": many.rps, "failures": one.failures + many.failures}
    ratio = f"{row['ratio']:5.2f}×" if row["ratio"] else "  —  "
    echo(f"    {label:<28} p50 {one.p50_ms:7.1f} ms  p95 {one.p95_ms:7.1f} ms  {ratio} floor {base.p50_ms:5.1f} ms"
         f"  {many.rps:6.1f} req/s at {clients} (p95 {many.p95_ms:.0f} ms)"
         f"{'  FAILURES ' + str(row['failures']) if row['failures'] else ''}")
    return row


def run_backend(backend: str, args, folder: Path, echo=print) -> dict:
    """Build both zones on one kind of database, serve them, measure every page; the results as a dict."""
    dbs = Databases(backend, args.postgres, folder)
    servers = []
    try:
        echo(f"\n[{backend}] building the small zone ({args.small:,} leads)...")
        small_counts = dataset.build(dbs.small, leads=args.small, projects=0, tax_records=0, echo=lambda _: None)
        echo(f"[{backend}] building the scale data set ({args.leads:,} leads, {args.projects:,} projects, "
             f"{args.tax_records:,} tax records)...")
        large_counts = dataset.build(dbs.large, leads=args.leads, projects=args.projects,
                                     tax_records=args.tax_records, echo=echo)
        big, small = _zone_facts(dbs.large), _zone_facts(dbs.small)
        from bench.floor import prepare

        prepare(dbs.large)
        app = Server("wsgi:app", dbs.large, args.workers, folder / f"{backend}-app.log")
        app_small = Server("wsgi:app", dbs.small, args.workers, folder / f"{backend}-app-small.log")
        floor = Server("bench.floor:create_floor_app()", dbs.large, args.workers, folder / f"{backend}-floor.log")
        servers = [app, app_small, floor]
        for server, path in ((app, "/healthz"), (app_small, "/healthz"), (floor, "/floor/healthz")):
            server.wait(path)
        cookie, cookie_small = sign_in(app.base), sign_in(app_small.base)
        enquiry_cookie, enquiry_body = enquiry_form(app.base)
        enquiry_cookie_small, enquiry_body_small = enquiry_form(app_small.base)
        for base, session_cookie in ((app.base, cookie), (app_small.base, cookie_small)):
            warm = _session()
            for path in ("/leads", f"/leads/{big['lead_id']}", "/pipeline", "/dashboard", "/projects"):
                warm.get(base + path, headers={"Cookie": session_cookie}, timeout=120)
        load_before = os.getloadavg()
        run = {"seconds": args.seconds, "clients": args.clients}
        m = lambda *a, **k: measure(*a, seconds=args.seconds, clients=args.clients, echo=echo, **k)  # noqa: E731
        echo(f"[{backend}] measuring (each line: 1 client for {args.seconds:g} s, then {args.clients} clients)")
        page_floor = {"url": floor.base + "/floor/leads"}
        insert_floor = {"url": floor.base + "/floor/insert", "method": "POST",
                        "body": load.form_body({"company": "floor{n}", "mobile": "139{n8}"})}
        rows = {}
        rows["floor_page"] = m("floor: bare 50-lead page", page_floor["url"], floor=page_floor)
        rows["floor_insert"] = m("floor: bare insert", insert_floor["url"], floor=insert_floor, method="POST",
                                 body=insert_floor["body"])
        rows["leads"] = m("/leads (first page)", app.base + "/leads", floor=page_floor, cookie=cookie)
        rows["leads_small"] = m("/leads at 1k", app_small.base + "/leads", floor=page_floor, cookie=cookie_small)
        search = load.form_body({"q": big["search"]})
        rows["search"] = m(f"/leads?q= ({len(big['search'])} chars)", f"{app.base}/leads?{search}",
                           floor=page_floor, cookie=cookie)
        short = load.form_body({"q": big["search"][:2]})
        rows["search_short"] = m("/leads?q= (2 chars, LIKE)", f"{app.base}/leads?{short}", floor=page_floor,
                                 cookie=cookie)
        rows["filter"] = m("/leads?stage=&sort=", app.base + "/leads?stage=negotiation&sort=investment",
                           floor=page_floor, cookie=cookie)
        rows["detail"] = m("/leads/<id>", f"{app.base}/leads/{big['lead_id']}", floor=page_floor, cookie=cookie)
        rows["detail_small"] = m("/leads/<id> at 1k", f"{app_small.base}/leads/{small['lead_id']}",
                                 floor=page_floor, cookie=cookie_small)
        rows["pipeline"] = m("/pipeline", app.base + "/pipeline", floor=page_floor, cookie=cookie)
        rows["dashboard"] = m("/dashboard (cached figures)", app.base + "/dashboard", floor=page_floor,
                              cookie=cookie)
        rows["projects"] = m("/projects", app.base + "/projects", floor=page_floor, cookie=cookie)
        before = _leads_like(dbs.large, "压测电驱")
        rows["enquiry"] = m("POST /enquiry", app.base + "/enquiry", floor=insert_floor, method="POST",
                            cookie=enquiry_cookie, body=enquiry_body)
        time.sleep(1)
        created = _leads_like(dbs.large, "压测电驱") - before
        rows["enquiry_small"] = m("POST /enquiry at 1k", app_small.base + "/enquiry", floor=insert_floor,
                                  method="POST", cookie=enquiry_cookie_small, body=enquiry_body_small)
        rows["brief"] = m("lead brief PDF", f"{app.base}/leads/{big['lead_id']}/brief.pdf", floor=page_floor,
                          cookie=cookie)
        rss = {"app": app.worker_rss_mb(), "app_small": app_small.worker_rss_mb(), "floor": floor.worker_rss_mb()}
        load_after = os.getloadavg()
    finally:
        for server in servers:
            server.stop()
        dbs.close()
    accepted = sum(rows["enquiry"][run]["statuses"].get("303", 0) for run in ("warm", "one", "many"))
    in_flight = created - accepted  # requests sent when wrk stopped: the server finished them, wrk never read
    enquiry = {"accepted": accepted, "created": created, "answered_after_cutoff": in_flight,
               "lost": max(0, -in_flight), "failures": rows["enquiry"]["failures"],
               "accepted_per_s": rows["enquiry"]["many"]["statuses"].get("303", 0)
               / max(rows["enquiry"]["many"]["seconds"], 0.001)}
    return {"backend": backend, "database": dbs.version, "zone": large_counts, "small_zone": small_counts, "lead_id": big["lead_id"],
            "search_term": big["search"], "load_average_before": load_before, "load_average_after": load_after,
            "run": run, "rows": rows, "rss_mb": rss, "enquiry": enquiry}


# ---------------------------------------------------------------------------------------------------------
# Goals and the table
# ---------------------------------------------------------------------------------------------------------

def floor_p50(result: dict) -> float:
    """The bare page's p50 over the run: the median of its measurements beside each page."""
    values = [row["floor_p50_ms"] for key, row in result["rows"].items()
              if row["floor_p50_ms"] and not key.startswith(("enquiry", "floor_insert"))]
    return statistics.median(values) if values else float("nan")


def _ms(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def goals(result: dict) -> list[tuple[str, bool, str]]:
    rows = result["rows"]
    enquiry = result["enquiry"]

    def at_most(value, limit) -> bool:
        return value is not None and value <= limit

    def growth(name):
        large, small = rows[name]["p50_ms"], rows[name + "_small"]["p50_ms"]
        return large / small if large and small else None

    leads = rows["leads"]
    worst_rss = max(result["rss_mb"]["app"] or [0])
    checks = [
        ("/leads p50 ≤ 3× the bare page's p50", at_most(leads["ratio"], GOALS["leads_p50_vs_floor"]),
         f"{_ms(leads['p50_ms'])} ms against {_ms(leads['floor_p50_ms'])} ms = "
         f"{'—' if leads['ratio'] is None else format(leads['ratio'], '.2f')}×"),
        ("/leads p95 ≤ 50 ms", at_most(leads["p95_ms"], GOALS["leads_p95_ms"]), f"{_ms(leads['p95_ms'])} ms"),
        ("search p95 ≤ 100 ms", at_most(rows["search"]["p95_ms"], GOALS["search_p95_ms"]),
         f"{_ms(rows['search']['p95_ms'])} ms"),
        ("/leads/<id> p95 ≤ 50 ms", at_most(rows["detail"]["p95_ms"], GOALS["detail_p95_ms"]),
         f"{_ms(rows['detail']['p95_ms'])} ms"),
    ]
    for name, label in (("leads", "list"), ("detail", "detail"), ("enquiry", "create")):
        ratio = growth(name)
        checks.append((f"{label}: p50 at {result['zone']['leads']:,} leads ≤ 1.5× at "
                       f"{result['small_zone']['leads']:,}", at_most(ratio, GOALS["growth"]),
                       f"{_ms(rows[name]['p50_ms'])} / {_ms(rows[name + '_small']['p50_ms'])} ms = "
                       f"{'—' if ratio is None else format(ratio, '.2f')}×"))
    checks += [
        (f"POST /enquiry ≥ 200 accepted/s at {result['run']['clients']} clients",
         enquiry["accepted_per_s"] >= GOALS["enquiry_rps"], f"{enquiry['accepted_per_s']:.0f}/s"),
        ("POST /enquiry: no failures, nothing lost", enquiry["failures"] == 0 and enquiry["lost"] == 0,
         f"{enquiry['failures']} failed, {enquiry['accepted']} accepted, {enquiry['created']} stored "
         f"({enquiry['answered_after_cutoff']} finished after wrk stopped)"),
        ("each worker < 200 MB RSS after the run", 0 < worst_rss < GOALS["worker_rss_mb"],
         " / ".join(f"{x:.0f}" for x in result["rss_mb"]["app"]) + " MB"),
    ]
    return checks


TABLE_ROWS = ("floor_page", "floor_insert", "leads", "search", "search_short", "filter", "detail", "pipeline",
              "dashboard", "projects", "enquiry", "brief", "leads_small", "detail_small", "enquiry_small")


def table(result: dict) -> list[str]:
    """The Markdown table: each page beside the floor measured just before it."""
    lines = [f"| page | p50 ms | p95 ms | floor p50 ms | × floor | req/s at {result['run']['clients']} "
             f"| p95 ms at {result['run']['clients']} | failures |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for key in TABLE_ROWS:
        row = result["rows"][key]
        ratio = "—" if row["ratio"] is None else f"{row['ratio']:.2f}"
        lines.append(f"| {row['label']} | {_ms(row['p50_ms'])} | {_ms(row['p95_ms'])} | {_ms(row['floor_p50_ms'])} "
                     f"| {ratio} | {row['rps']:.0f} | {row['many']['p95_ms']:.0f} | {row['failures']} |")
    return lines


def machine() -> dict:
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    import sqlite3

    return {"cpu": model, "cpus": os.cpu_count(), "memory": memory, "system": platform.platform(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" [")[0]
            if load.wrk_path() else None}


def main(argv=None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if not load.wrk_path():
        print("wrk is not installed: `apt-get install wrk` (make bench does it).")
        return 2
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    started = time.perf_counter()
    info = machine()
    print(f"Scale benchmark (issue 8) — {info['cpus']} CPUs ({info['cpu']}), {info['memory']}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results, all_met = {}, True
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as temp:
        for backend in backends:
            if backend == "postgresql" and not postgres_answers(args.postgres):
                print(f"\n[postgresql] skipped: nothing answers at {args.postgres.split('@')[-1]} "
                      "(set BENCH_POSTGRES_URL or --postgres)")
                continue
            folder = Path(temp) / backend
            folder.mkdir()
            result = run_backend(backend, args, folder)
            result["goals"] = [{"goal": g, "met": met, "measured": value} for g, met, value in goals(result)]
            results[backend] = result
            print(f"\n[{backend}] {result['database']}, {result['zone']['leads']:,} leads, {result['zone']['projects']:,} projects, "
                  f"{result['zone']['tax_records']:,} tax records; load average "
                  f"{result['load_average_before'][0]:.2f} → {result['load_average_after'][0]:.2f} "
                  f"on {info['cpus']} CPUs")
            print("\n".join(table(result)))
            print()
            for goal in result["goals"]:
                all_met &= goal["met"]
                print(f"  {'PASS' if goal['met'] else 'MISS'}  {goal['goal']}: {goal['measured']}")
    summary = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": info,
               "seconds": round(time.perf_counter() - started), "results": results}
    if not args.no_save and results:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
        path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        print(f"\nResults: {path.relative_to(ROOT)} ({summary['seconds']} s in all)")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
