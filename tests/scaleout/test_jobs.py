"""The leaders' reports job: inline without Redis, queued for the worker with it."""

from datetime import date

import pytest

from crm.jobs import queue, reports
from tests.factories import make_user


@pytest.fixture
def reports_dir(app, tmp_path):
    app.config["REPORTS_DIR"] = str(tmp_path)
    yield tmp_path
    app.config.pop("REPORTS_DIR")


def test_without_redis_the_reports_are_rendered_at_once(client, login, reports_dir):
    manager = login(make_user("manager"))
    make_user("admin")
    make_user("officer")
    response = client.post("/reports/leaders")
    assert response.status_code == 303
    written = sorted(p.name for p in reports_dir.glob("*.pdf"))
    assert len(written) == 2  # the manager and the admin; not the officer
    assert all(reports.NAME.match(name) for name in written)
    assert (reports_dir / written[0]).read_bytes().startswith(b"%PDF")
    page = client.get("/reports/leaders").get_data(as_text=True)
    assert manager.name in page and written[0] in page
    pdf = client.get(f"/reports/leaders/{written[0]}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize("name", ["../secret_key", "pipeline-2026-01-01-u1.pdf", "x.pdf",
                                  "pipeline-2026-01-01-u1.pdf.part", ".pipeline-2026-01-01-u1.pdf"])
def test_only_our_own_existing_files_are_served(client, login, reports_dir, name):
    login(make_user("manager"))
    (reports_dir / "x.pdf").write_bytes(b"%PDF-not ours")
    assert client.get(f"/reports/leaders/{name}").status_code == 404


def test_officers_may_not_ask_for_or_read_the_reports(client, login, reports_dir):
    login(make_user("officer"))
    assert client.get("/reports/leaders").status_code == 403
    assert client.post("/reports/leaders").status_code == 403
    assert not list(reports_dir.iterdir())


def test_each_leader_gets_the_report_in_their_language(db, app, reports_dir):
    english = make_user("manager")
    english.locale = "en"
    db.session.commit()
    with app.test_request_context():
        written = reports.leader_reports()
    assert written == [f"pipeline-{reports.local_today().isoformat()}-u{english.id}.pdf"]
    import subprocess

    text = subprocess.run(["pdftotext", str(reports_dir / written[0]), "-"], capture_output=True, text=True).stdout
    assert "Pipeline" in text or "pipeline" in text


def test_reports_older_than_the_keep_window_are_removed(db, app, reports_dir):
    old = reports_dir / "pipeline-2001-01-01-u1.pdf"
    old.write_bytes(b"%PDF")
    make_user("manager")
    with app.test_request_context():
        reports.leader_reports()
    assert not old.exists()


def test_with_redis_the_job_waits_for_the_worker(app, db, client, login, reports_dir, redis_space):
    """The request only queues; a worker (here RQ's SimpleWorker in this process) renders the files."""
    from rq import SimpleWorker

    _redis, prefix = redis_space
    app.config.update(REDIS_URL="redis://127.0.0.1:6379/0", JOBS_QUEUE=prefix)
    try:
        login(make_user("manager"))
        response = client.post("/reports/leaders")
        assert response.status_code == 303
        assert not list(reports_dir.glob("*.pdf"))
        with app.test_request_context():
            rq_queue = queue.get_queue()
            assert rq_queue.count == 1
            assert queue.pending()["queued"] == 1
            queue._worker_app = app
            try:
                worked = SimpleWorker([rq_queue], connection=rq_queue.connection).work(burst=True)
            finally:
                queue._worker_app = None
        assert worked
        written = list(reports_dir.glob("pipeline-*.pdf"))
        assert len(written) == 1 and written[0].name.startswith(f"pipeline-{date.today().year}")
    finally:
        app.config.pop("REDIS_URL", None)
        app.config.pop("JOBS_QUEUE", None)
