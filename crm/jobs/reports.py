"""The weekly pipeline report for every leader (managers and admins, each in their own language), rendered
by the worker and kept in the reports folder (CRM_REPORTS_DIR, default instance/reports/) for download.

Files are named pipeline-<zone date>-u<reader id>.pdf, written to a temporary name and renamed into place,
so a reader never downloads half a file. Several app instances must share the folder (see
docs/deployment.md), or run the worker on the host that serves the downloads.
"""

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from crm.auth.models import User
from crm.core.formatting import local_today
from crm.extensions import db

NAME = re.compile(r"^pipeline-(\d{4}-\d{2}-\d{2})-u(\d{1,9})\.pdf$")
KEEP_DAYS = 60


@dataclass
class ReportFile:
    name: str
    day: date
    reader_id: int
    reader_name: str
    size: int
    written_at: datetime  # UTC


def reports_dir() -> Path:
    folder = current_app.config.get("REPORTS_DIR") or os.environ.get("CRM_REPORTS_DIR")
    if not folder:
        # Tests never write into the instance folder (the dashboard cache is off in tests for the same reason).
        folder = (Path(tempfile.gettempdir()) / "parkleads-test-reports" if current_app.testing
                  else Path(current_app.instance_path) / "reports")
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def leaders() -> list[User]:
    """Who gets the report: every active manager and admin."""
    return list(db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(("manager", "admin")))
                                   .order_by(User.id)))


def _locale_of(user: User) -> str:
    from crm.core.i18n import normalise_locale

    chosen = normalise_locale(getattr(user, "locale", None) or "")
    return chosen if chosen in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def leader_reports() -> list[str]:
    """Render the pipeline report for every leader; returns the file names written. (The job.)"""
    from crm.briefs import services as briefs

    folder = reports_dir()
    day = local_today().isoformat()
    written = []
    for user in leaders():
        pdf = briefs.pipeline_report(reader=user, locale=_locale_of(user))
        name = f"pipeline-{day}-u{user.id}.pdf"
        partial = folder / f".{name}.{os.getpid()}.part"
        partial.write_bytes(pdf)
        os.replace(partial, folder / name)
        written.append(name)
    _forget_old(folder)
    return written


def _forget_old(folder: Path) -> None:
    """Reports older than KEEP_DAYS go: the folder must not grow without end."""
    today = local_today()
    for path in folder.glob("pipeline-*.pdf"):
        match = NAME.match(path.name)
        if match and (today - date.fromisoformat(match.group(1))).days > KEEP_DAYS:
            path.unlink(missing_ok=True)


def report_files(limit: int = 200) -> list[ReportFile]:
    """The reports in the folder, newest first, with their readers' names."""
    found = []
    for path in reports_dir().glob("pipeline-*.pdf"):
        match = NAME.match(path.name)
        if match:
            stat = path.stat()
            found.append((path.name, date.fromisoformat(match.group(1)), int(match.group(2)), stat.st_size,
                          datetime.fromtimestamp(stat.st_mtime, UTC).replace(tzinfo=None)))
    found.sort(key=lambda f: (f[4], f[0]), reverse=True)
    found = found[:limit]
    ids = {f[2] for f in found}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).tuples().all()) if ids else {}
    return [ReportFile(name, day, reader, names.get(reader, "—"), size, written)
            for name, day, reader, size, written in found]


def report_path(name: str) -> Path | None:
    """The file for a name from a URL, only if it is one of ours (no path tricks) and exists."""
    if not NAME.match(name or ""):
        return None
    path = reports_dir() / name
    return path if path.is_file() else None
