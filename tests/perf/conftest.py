"""A fixture that counts the SQL statements a request sends to the database."""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from crm.extensions import db as _db


class StatementLog:
    """The statements seen while a `with statements():` block ran."""

    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def shapes(self) -> list[str]:
        """Statements with literals and bound values blurred, to show which ones repeat."""
        return [re.sub(r"\s+", " ", re.sub(r"'[^']*'|\b\d+\b", "?", s))[:160] for s in self.statements]

    def __repr__(self) -> str:
        return f"<{self.count} statements:\n  " + "\n  ".join(self.shapes()) + ">"


@pytest.fixture
def statements(app, db):
    """`with statements() as log: client.get(...)` → log.count, log.statements (SQLAlchemy
    before_cursor_execute on the app's engine: every statement, ORM or Core, lazy loads included)."""

    @contextmanager
    def _count():
        log = StatementLog()

        def _seen(conn, cursor, statement, parameters, context, executemany):
            log.statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", _seen)
        try:
            yield log
        finally:
            event.remove(engine, "before_cursor_execute", _seen)

    return _count
