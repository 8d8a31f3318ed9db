"""Two app instances (gunicorn, different ports) on one database and one Redis: what one knows, both know.

- a session made on one instance works on the other (Flask's signed-cookie session, shared SECRET_KEY), and
  signing out on one ends it on both (the user's session nonce lives in the database);
- a rate limit counts the requests of both instances together (Flask-Limiter storage in Redis);
- bulk work queued on one instance is done by the worker (`crm worker`) and served by the other.

Runs on the test database of the run (PostgreSQL with TEST_DATABASE_URL, else the SQLite file, which two
processes on one machine can share too). Needs Redis (TEST_REDIS_URL, default 127.0.0.1:6379): skipped with
the reason when it does not answer. Keys get a unique prefix and are deleted afterwards.
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.factories import PASSWORD, make_user
from tests.scaleout.conftest import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(database_url: str, prefix: str, reports: Path, port: int | None = None) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="shared-by-every-instance", CRM_ENV="development",
               CRM_LOCALE="en", REDIS_URL=REDIS_URL, CRM_RATELIMIT_KEY_PREFIX=prefix, CRM_JOBS_QUEUE=prefix,
               CRM_RATELIMIT_LOGIN_ACCOUNT="3/minute", CRM_REPORTS_DIR=str(reports), WEB_CONCURRENCY="1",
               GUNICORN_ACCESS_LOG="off", GUNICORN_LOG_LEVEL="warning", PYTHONPATH=str(ROOT))
    if port:
        env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    return env


class Instance:
    def __init__(self, env: dict, port: int, log: Path):
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        self._out = log.open("w")
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen([str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
                                        cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if _client().get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        pytest.fail(f"{self.base} did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._out.close()


def _client() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def _token(session: requests.Session, url: str) -> str:
    match = _CSRF.search(session.get(url, timeout=30).text)
    return match.group(1) or match.group(2)


@pytest.fixture(scope="module")
def shared_redis():
    """(client, prefix) for the whole module: the instances keep the same prefix from start to end."""
    import uuid

    from tests.scaleout.conftest import cleanup, redis_or_skip

    client = redis_or_skip()
    prefix = f"parkleads-test-{uuid.uuid4().hex[:10]}"
    yield client, prefix
    cleanup(client, prefix)


@pytest.fixture(scope="module")
def instances(app, database_url, shared_redis, tmp_path_factory):
    """Two gunicorn instances, A and B (started once for the module), and the environment of a worker."""
    _redis, prefix = shared_redis
    folder = tmp_path_factory.mktemp("two-instances")
    reports = folder / "reports"
    reports.mkdir()
    started = []
    try:
        for name in ("a", "b"):
            port = _free_port()
            started.append(Instance(_env(database_url, prefix, reports, port), port, folder / f"{name}.log"))
        for instance in started:
            instance.wait()
        yield started[0], started[1], _env(database_url, prefix, reports), reports
    finally:
        for instance in started:
            instance.stop()


def _sign_in(instance: Instance, user) -> requests.Session:
    browser = _client()
    token = _token(browser, instance.base + "/login")
    response = browser.post(instance.base + "/login", data={"email": user.email, "password": PASSWORD,
                                                            "csrf_token": token}, allow_redirects=False)
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    return browser


def test_a_session_from_one_instance_works_on_the_other_and_logout_ends_both(instances, db):
    a, b, _env_, _reports = instances
    manager = make_user("manager")
    browser = _sign_in(a, manager)
    old_cookies = browser.cookies.copy()
    assert browser.get(b.base + "/leads", allow_redirects=False).status_code == 200
    assert browser.get(a.base + "/leads", allow_redirects=False).status_code == 200

    token = _token(browser, b.base + "/leads")
    assert browser.post(b.base + "/logout", data={"csrf_token": token}, allow_redirects=False).status_code == 302
    replay = _client()
    replay.cookies.update(old_cookies)  # the cookie as it was before signing out, replayed on the other instance
    response = replay.get(a.base + "/leads", allow_redirects=False)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_rate_limit_is_shared_by_both_instances(instances, db):
    a, b, _env_, _reports = instances
    target = make_user("officer")
    browser = _client()
    token = _token(browser, a.base + "/login")  # one anonymous session; its CSRF token is good on both
    statuses = []
    for n in range(5):
        instance = (a, b)[n % 2]
        response = browser.post(instance.base + "/login", data={"email": target.email, "password": "wrong",
                                                                "csrf_token": token}, allow_redirects=False)
        statuses.append(response.status_code)
    # 3 attempts a minute for one account, counted across A and B: the fourth is refused wherever it lands.
    assert statuses == [401, 401, 401, 429, 429]


def test_bulk_work_goes_to_the_worker_and_the_other_instance_serves_it(instances, shared_redis, db):
    a, b, env, reports = instances
    manager = make_user("manager")
    browser = _sign_in(a, manager)
    token = _token(browser, a.base + "/reports/leaders")
    started = time.monotonic()
    response = browser.post(a.base + "/reports/leaders", data={"csrf_token": token}, allow_redirects=False)
    assert response.status_code == 303 and time.monotonic() - started < 5
    assert not list(reports.glob("*.pdf"))  # queued, not rendered in the request

    flask = Path(sys.executable).with_name("flask")
    worker = subprocess.run([str(flask), "--app", "wsgi", "crm", "worker", "--burst"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    assert worker.returncode == 0, worker.stdout[-2000:] + worker.stderr[-2000:]
    written = [p.name for p in reports.glob("pipeline-*.pdf")]
    assert len(written) == 1

    page = browser.get(b.base + "/reports/leaders").text
    assert written[0] in page
    pdf = browser.get(f"{b.base}/reports/leaders/{written[0]}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
