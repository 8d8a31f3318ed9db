"""A real gunicorn (2 sync workers) on the test database, for the concurrency acceptance tests."""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
START_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self, last: int = 60) -> str:
        """The end of gunicorn's output, for assertion messages."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-last:])

    def explain(self, message: str) -> str:
        alive = "running" if self.process.poll() is None else f"exited with {self.process.returncode}"
        return f"{message}\n--- gunicorn ({alive}) ---\n{self.log()}"


def _stop(process: subprocess.Popen) -> None:
    """Stop gunicorn and its workers: the whole process group, politely first."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    """gunicorn serving wsgi:app with DATABASE_URL set to the test database (CRM_ENV unset, as in production)."""
    workdir = tmp_path_factory.mktemp("gunicorn")
    log_path = workdir / "gunicorn.log"
    port = _free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("CRM_ENV", "TEST_DATABASE_URL", "REDIS_URL", "FLASK_DEBUG")}
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY="load-test-secret",
        CRM_INSTANCE_PATH=str(workdir / "instance"),  # never write into the checkout's instance/
        PYTHONUNBUFFERED="1",
    )
    command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "sync",
               "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5",
               "--backlog", "1024", "wsgi:app"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    running = Server(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        _wait_until_healthy(running)
        yield running
    finally:
        _stop(process)


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last_error = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(server.explain("gunicorn exited during start-up"))
        try:
            response = requests.get(f"{server.url}/healthz", timeout=2)
            if response.status_code == 200 and response.json() == {"status": "ok"}:
                return
            last_error = f"/healthz answered {response.status_code}"
        except requests.RequestException as err:
            last_error = repr(err)
        time.sleep(0.2)
    pytest.fail(server.explain(f"gunicorn not healthy after {START_TIMEOUT}s: {last_error}"))
