"""Fixtures for the public pages."""

from contextlib import contextmanager

import pytest
from public_helpers import table_counts


@pytest.fixture
def unchanged(db):
    """`with unchanged(): ...` fails if the block changed the number of rows in any table."""

    @contextmanager
    def _unchanged():
        before = table_counts()
        yield
        after = table_counts()
        changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
        assert not changed, f"rows changed (before, after): {changed}"

    return _unchanged


