"""Backups of the whole database, and restoring one: `crm backup PATH`, `crm restore PATH [--force]`.

SQLite is copied with SQLite's online backup API, page by page, consistent even while the app writes.
PostgreSQL is dumped with pg_dump in its custom format and restored with pg_restore in one transaction.
A restore refuses a database that holds any rows unless forced, so a slip of the finger cannot wipe a
zone's data; the restored database is at the migration revision of the backup (run `flask db upgrade`
after restoring an older backup into a newer release).
"""

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import MetaData, func, inspect, select, text
from sqlalchemy.engine import URL

from crm.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
SKIP_WHEN_COUNTING = {"alembic_version"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def _url() -> URL:
    return db.engine.url


def _dialect() -> str:
    return db.engine.dialect.name


def table_counts() -> dict[str, int]:
    """Row count of every table in the database as it is (reflected, so tables of any release count)."""
    counts = {}
    with db.engine.connect() as conn:
        metadata = MetaData()
        metadata.reflect(bind=conn)
        for table in metadata.sorted_tables:
            counts[table.name] = conn.scalar(select(func.count()).select_from(table))
    return counts


def is_empty() -> bool:
    """True when no table holds a row (the migration bookkeeping aside)."""
    return not any(n for name, n in table_counts().items() if name not in SKIP_WHEN_COUNTING)


def backup(path: str | os.PathLike) -> Path:
    """Write a backup of the current database to `path` (written beside it first, then moved into place)."""
    target = Path(path).resolve()
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give a file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    db.session.remove()
    try:
        if _dialect() == "sqlite":
            _sqlite_backup(partial)
        elif _dialect() == "postgresql":
            _pg_dump(partial)
        else:
            raise BackupError(f"Backups of {_dialect()} databases are not supported.")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore(path: str | os.PathLike, *, force: bool = False) -> None:
    """Replace the current database with the backup at `path`. Refuses a non-empty database unless `force`."""
    source = Path(path).resolve()
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    kind = _backup_kind(source)
    if kind != _dialect():
        raise BackupError(f"{source} is a {kind or 'unknown'} backup; this database is {_dialect()}.")
    db.session.remove()
    if not force and not is_empty():
        raise BackupError("The database already holds data. Restore into an empty database, "
                          "or pass --force to replace everything in it.")
    if kind == "sqlite":
        _sqlite_restore(source)
    else:
        _pg_restore(source)
    db.engine.dispose()


def _backup_kind(path: Path) -> str | None:
    with path.open("rb") as fileobj:
        head = fileobj.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    return None


# SQLite --------------------------------------------------------------------------------------------------

def _sqlite_file() -> str:
    database = _url().database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return database


def _sqlite_backup(target: Path) -> None:
    source = sqlite3.connect(_sqlite_file())
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
        _check_sqlite(copy)
    finally:
        copy.close()
        source.close()


def _sqlite_restore(source_path: Path) -> None:
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        _check_sqlite(source)
        db.engine.dispose()
        target = sqlite3.connect(_sqlite_file(), timeout=30)
        try:
            # The backup API replaces every page of the target: schema, data and migration revision.
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _check_sqlite(conn: sqlite3.Connection) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"The SQLite backup is damaged: {result}")


# PostgreSQL ----------------------------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    folder = os.environ.get("CRM_PG_BIN")
    tool = str(Path(folder) / name) if folder else shutil.which(name)
    if not tool or not Path(tool).exists():
        raise BackupError(f"{name} was not found. Install the PostgreSQL client (apt install "
                          f"postgresql-client) or point CRM_PG_BIN at its bin folder.")
    return tool


def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if not match:
        raise BackupError(f"Cannot read a version from {version_text!r}.")
    return int(match.group(1))


def _check_client_version(tool: str) -> None:
    """pg_dump refuses (or worse, misreads) servers newer than itself: say so up front."""
    client = _major(subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout)
    with db.engine.connect() as conn:
        server = int(conn.scalar(text("SHOW server_version_num"))) // 10000
    if client < server:
        raise BackupError(f"{Path(tool).name} is version {client} but the server runs PostgreSQL {server}; "
                          f"install postgresql-client-{server} or point CRM_PG_BIN at it.")


def _pg_connection() -> tuple[list[str], dict]:
    """libpq connection arguments and environment; the password travels in PGPASSWORD, never on argv."""
    url = _url()
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return ["--dbname", dsn], env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _pg_dump(target: Path) -> None:
    tool = _pg_tool("pg_dump")
    _check_client_version(tool)
    dbname, env = _pg_connection()
    _run([tool, "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *dbname], env)


def _pg_restore(source: Path) -> None:
    """Replace everything in one transaction (psql -1): a failed restore leaves the database as it was."""
    tool, psql = _pg_tool("pg_restore"), _pg_tool("psql")
    _check_client_version(tool)
    dbname, env = _pg_connection()
    listing = subprocess.run([tool, "--list", str(source)], capture_output=True, text=True, env=env)
    if listing.returncode != 0:
        raise BackupError(f"pg_restore cannot read {source}: {listing.stderr.strip()[-2000:]}")
    in_backup = set(TOC_TABLE.findall(listing.stdout))
    with tempfile.TemporaryDirectory() as folder:
        # Tables the backup does not know (a newer release's) would be left behind by --clean: drop them first.
        drops = Path(folder) / "drop_extra_tables.sql"
        drops.write_text("".join(f'DROP TABLE IF EXISTS "{schema}"."{name}" CASCADE;\n'
                                 for schema, name in _current_tables() if (schema, name) not in in_backup))
        dump = subprocess.Popen([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--file", "-",
                                 str(source)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        loader = subprocess.run([psql, "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction",
                                 "--file", str(drops), "--file", "-", *dbname],
                                stdin=dump.stdout, capture_output=True, text=True, env=env)
        dump.stdout.close()
        dump_error = dump.stderr.read().decode(errors="replace")
        dump.wait()
    if loader.returncode != 0:  # checked first: when psql stops, pg_restore dies of a broken pipe
        raise BackupError(f"Restoring failed; nothing was changed: {loader.stderr.strip()[-2000:]}")
    if dump.returncode != 0:
        raise BackupError(f"pg_restore failed; nothing was changed: {dump_error.strip()[-2000:]}")


TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+) ", re.M)


def _current_tables() -> list[tuple[str, str]]:
    db.engine.dispose()
    with db.engine.connect() as conn:
        schema = conn.scalar(text("SELECT current_schema()"))
        return [(schema, name) for name in inspect(conn).get_table_names(schema=schema)]
