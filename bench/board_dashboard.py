"""Benchmark the pipeline board and the dashboard on a large zone, served by gunicorn, against a trivial page.

A benchmark, not a test: it seeds the demo zone (100,000 leads by default) into an empty database, serves
the app with gunicorn (2 workers) on 127.0.0.1, signs in as the manager (who sees every lead) and requests
/healthz, /pipeline and /dashboard in turn, a bounded number of times, one request at a time. It prints
p50/p95 per page and each page's ratio to the trivial page measured in the same run.

    .venv/bin/python -m bench.board_dashboard                 # 100,000 leads in a temporary SQLite file
    .venv/bin/python -m bench.board_dashboard --leads 10000 --rounds 40
    .venv/bin/python -m bench.board_dashboard --database-url postgresql://postgres@127.0.0.1:5432/bench_board

Goals (issue 3), on the 2-core machine with SQLite: board p95 ≤ 150 ms, dashboard p95 ≤ 300 ms.
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GOALS_MS = {"/pipeline": 150.0, "/dashboard": 300.0}
PAGES = ("/healthz", "/pipeline", "/dashboard")
MANAGER = "manager@demo.zone"


def _parse(argv):
    parser = argparse.ArgumentParser(prog="bench.board_dashboard", description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000, help="demo leads to seed (default 100000)")
    parser.add_argument("--rounds", type=int, default=60, help="timed requests of each page (default 60)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed rounds first (default 5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="an EMPTY database to fill (default: a temporary SQLite file)")
    parser.add_argument("--no-seed", action="store_true",
                        help="use --database-url as it is (already migrated and seeded by an earlier run)")
    return parser.parse_args(argv)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _seed(database_url: str, lead_count: int | None) -> tuple[float, str]:
    """Migrate the database and (unless lead_count is None) fill it with the demo zone;
    returns (seconds spent seeding, manager password)."""
    from flask_migrate import upgrade

    from config import DevelopmentConfig
    from crm import create_app

    class BenchConfig(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SECRET_KEY = "bench-only-secret"

    app = create_app(BenchConfig)
    from crm.demo.seed import PASSWORD, seed_demo
    from crm.extensions import db

    seconds = 0.0
    with app.app_context():
        upgrade()
        if lead_count is not None:
            started = time.perf_counter()
            for line in seed_demo(lead_count=lead_count):
                print("  " + line)
            seconds = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return seconds, PASSWORD


def _serve(database_url: str, port: int, workers: int, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="bench-only-secret", CRM_ENV="development",
               CRM_LOCALE="zh_CN")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
               "wsgi:app"]
    log = log_path.open("w")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_until_up(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited; see its log")
        try:
            if _session().get(base + "/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def _session() -> requests.Session:
    """A client that talks to 127.0.0.1 directly, whatever proxy the environment names."""
    session = requests.Session()
    session.trust_env = False
    return session


def _sign_in(base: str, password: str) -> requests.Session:
    session = _session()
    page = session.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    response = session.post(base + "/login", data={"email": MANAGER, "password": password,
                                                    "csrf_token": token.group(1)},
                            allow_redirects=False, timeout=10)
    if response.status_code != 302:
        raise RuntimeError(f"sign-in failed with {response.status_code}")
    return session


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def _measure(session: requests.Session, base: str, rounds: int, warmup: int) -> dict[str, list[float]]:
    """Request the pages in turn, so all three see the same machine load; milliseconds per request."""
    timings = {page: [] for page in PAGES}
    for index in range(warmup + rounds):
        for page in PAGES:
            started = time.perf_counter()
            response = session.get(base + page, timeout=60)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{page} answered {response.status_code}")
            if index >= warmup:
                timings[page].append(elapsed)
    return timings


def _server_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) used so far by gunicorn's workers, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == master_pid:          # ppid: a worker of our gunicorn
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _cpu_per_request(session: requests.Session, base: str, master_pid: int, count: int) -> dict[str, float]:
    """Server CPU milliseconds per request of each page: unlike wall time, it does not grow with the
    machine's other load."""
    result = {}
    for page in PAGES:
        before = _server_cpu_seconds(master_pid)
        for _ in range(count):
            session.get(base + page, timeout=60)
        result[page] = (_server_cpu_seconds(master_pid) - before) * 1000 / count
    return result


def main(argv=None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    temp = tempfile.TemporaryDirectory(prefix="bench-board-")
    url = args.database_url or f"sqlite:///{Path(temp.name) / 'bench.db'}"
    print(f"Board and dashboard benchmark — {args.leads:,} leads, gunicorn {args.workers} workers, "
          f"{args.rounds} rounds")
    print(f"Database: {url.split('@')[-1]}")
    if args.no_seed and args.database_url:
        _seconds, password = _seed(url, None)
    else:
        print(f"Seeding {args.leads:,} leads...")
        seeded, password = _seed(url, args.leads)
        print(f"  seeded in {seeded:.1f} s")

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(url, port, args.workers, Path(temp.name) / "gunicorn.log")
    try:
        _wait_until_up(base, server)
        session = _sign_in(base, password)
        sizes, first = {}, {}
        for page in PAGES:
            started = time.perf_counter()
            sizes[page] = len(session.get(base + page, timeout=120).content)
            first[page] = (time.perf_counter() - started) * 1000
        timings = _measure(session, base, args.rounds, args.warmup)
        cpu = _cpu_per_request(session, base, server.pid, max(args.rounds // 2, 10)) \
            if os.path.isdir("/proc") else {}
    except Exception:
        print((Path(temp.name) / "gunicorn.log").read_text()[-3000:])
        raise
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    trivial = timings["/healthz"]
    trivial_p50, trivial_p95 = statistics.median(trivial), _percentile(trivial, 0.95)
    print(f"\n{'page':<12}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'p50 ×':>9}{'p95 ×':>9}{'KiB':>8}"
          f"{'CPU ms':>9}")
    results = {}
    for page in PAGES:
        p50, p95 = statistics.median(timings[page]), _percentile(timings[page], 0.95)
        results[page] = p95
        print(f"{page:<12}{p50:>9.1f}{p95:>9.1f}{max(timings[page]):>9.1f}{p50 / trivial_p50:>9.1f}"
              f"{p95 / trivial_p95:>9.1f}{sizes[page] / 1024:>8.0f}"
              + (f"{cpu[page]:>9.1f}" if page in cpu else ""))
    print("\nFirst request of each page (cold: templates and statement caches, and for /dashboard the "
          "figures computed afresh rather than from its cache): "
          + ", ".join(f"{page} {first[page]:.0f} ms" for page in PAGES))
    print("CPU ms: the workers' CPU time per request (from /proc), which other load on the machine does not "
          "inflate.")
    print(f"Machine load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
          "(wall-clock times grow with it)")
    print()
    met_all = True
    for page, goal in GOALS_MS.items():
        met = results[page] <= goal
        met_all &= met
        note = "" if args.leads >= 100_000 else f" (at {args.leads:,} leads, not 100,000)"
        print(f"  {'PASS' if met else 'FAIL'}  {page} p95 {results[page]:.1f} ms ≤ {goal:.0f} ms{note}")
    temp.cleanup()
    return 0 if met_all else 1


if __name__ == "__main__":
    sys.exit(main())
