"""Lead search that scales: one function, an index on each database.

SQLite: an FTS5 table with the trigram tokenizer (`lead_fts`, external content over `lead`, kept in step by
triggers: company name and key, contact name, mobile), so any substring of three characters or more — Chinese included — is found through the index.
PostgreSQL: pg_trgm GIN indexes on the same columns, which serve the plain ILIKE '%…%' conditions.
Both are created by migration 0007. Trigrams need three characters: shorter terms (意华, two characters)
fall back to LIKE, which reads the whole table but still finds them.

The indexes are not declared on the models (an FTS5 table is not a table SQLAlchemy can describe, and a GIN
index is PostgreSQL-only), so `include_name` tells Alembic's autogenerate to leave them alone.
"""

from sqlalchemy import Integer, column, or_, select, text

from crm.extensions import db

# Columns of `lead` that the search box looks in by substring.
TEXT_COLUMNS = ("company_name", "company_key", "contact_name")
SEARCH_COLUMNS = TEXT_COLUMNS + ("mobile",)  # mobile: searched by its digits
FTS_TABLE = "lead_fts"
# FTS5 shadow tables (external content: no _content table).
FTS_SHADOW = tuple(f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "docsize", "config", "content"))
TRIGRAM_INDEXES = {f"ix_lead_{column}_trgm": column for column in SEARCH_COLUMNS}
MIN_TRIGRAM = 3
SQLITE_NAMES_INDEX = "ix_lead_search_names"  # SQLite only: see sqlite_fts_ddl()
SHORT_TERM_IDS = 2000  # a short term's matches are passed on as ids up to this many


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


def _like_escape(text_: str) -> str:
    """Typed % and _ are searched for, not used as wildcards."""
    return text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fts_phrase(term: str) -> str:
    """A term as one FTS5 string: whatever it holds (quotes, AND, *, :) is matched literally."""
    return '"' + term.replace('"', '""') + '"'


def text_condition(*terms: str, digits: str = ""):
    """SQL true for leads whose company name, company key or contact name contains any of `terms`
    (case-insensitive), or whose mobile contains `digits` (four or more); None when nothing is left to find.

    The one place that decides how a substring search runs: through the trigram index when every term has
    three characters or more, else with LIKE (a scan, but short terms still find their leads).
    """
    from crm.leads.models import Lead

    terms = tuple(dict.fromkeys(t.strip() for t in terms if t and t.strip()))
    digits = digits if len(digits) >= 4 else ""
    if not terms and not digits:
        return None
    if all(len(t) >= MIN_TRIGRAM for t in terms) and dialect_name() == "sqlite":
        names = "{" + " ".join(TEXT_COLUMNS) + "}"
        match = [f"{names} : {_fts_phrase(t)}" for t in terms] + ([f"mobile : {_fts_phrase(digits)}"] if digits else [])
        rowids = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_query").bindparams(
            fts_query=" OR ".join(match)).columns(column("rowid", Integer))
        return Lead.id.in_(rowids)
    sqlite = dialect_name() == "sqlite"
    conditions = []
    for term in terms:
        pattern = f"%{_like_escape(term)}%"
        for name in TEXT_COLUMNS:
            searched = getattr(Lead, name)
            # SQLite's LIKE already ignores ASCII case (and its lower() knows no other case), so ILIKE's lower()
            # calls would only halve the speed of the scan.
            conditions.append(searched.like(pattern, escape="\\") if sqlite
                              else searched.ilike(pattern, escape="\\"))
    if digits:
        conditions.append(Lead.mobile.like(f"%{digits}%"))
    if all(len(t) >= MIN_TRIGRAM for t in terms):
        # PostgreSQL: the GIN trigram indexes serve these (a BitmapOr over the columns).
        return or_(*conditions)
    # A term too short for trigrams means a scan (on SQLite of the narrow covering index
    # ix_lead_search_names, which this subquery reads alone). Scan once: when the matches are few, as for a
    # person's name, hand their ids to the count and the page instead of scanning for each.
    matching = select(Lead.id).where(or_(*conditions))
    found = db.session.scalars(matching.limit(SHORT_TERM_IDS + 1)).all()
    return Lead.id.in_(found) if len(found) <= SHORT_TERM_IDS else Lead.id.in_(matching)


# ---------------------------------------------------------------------------------------------------------
# DDL (migration 0007 runs these; tests/test_migrations.py and migrations/env.py use include_name)
# ---------------------------------------------------------------------------------------------------------

def sqlite_fts_ddl() -> list[str]:
    """Statements that create the FTS5 table, fill it from `lead` and keep it in step with triggers.

    A migration that later rebuilds `lead` in batch mode (copy, drop, rename) drops these triggers with the
    old table: it must run `sqlite_fts_ddl()` again afterwards (the statements are idempotent).
    """
    columns = ", ".join(SEARCH_COLUMNS)
    new = ", ".join(f"new.{c}" for c in SEARCH_COLUMNS)
    old = ", ".join(f"old.{c}" for c in SEARCH_COLUMNS)
    t = FTS_TABLE
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {t} USING fts5({columns}, content='lead', content_rowid='id', "
        "tokenize='trigram case_sensitive 0')",
        f"DROP TRIGGER IF EXISTS {t}_ai",
        f"DROP TRIGGER IF EXISTS {t}_ad",
        f"DROP TRIGGER IF EXISTS {t}_au",
        f"CREATE TRIGGER {t}_ai AFTER INSERT ON lead BEGIN "
        f"INSERT INTO {t}(rowid, {columns}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER {t}_ad AFTER DELETE ON lead BEGIN "
        f"INSERT INTO {t}({t}, rowid, {columns}) VALUES ('delete', old.id, {old}); END",
        # Only edits of searched columns touch the index: a stage move or a new activity does not.
        f"CREATE TRIGGER {t}_au AFTER UPDATE OF {columns} ON lead BEGIN "
        f"INSERT INTO {t}({t}, rowid, {columns}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {t}(rowid, {columns}) VALUES (new.id, {new}); END",
        f"INSERT INTO {t}({t}) VALUES ('rebuild')",
        # For terms too short for trigrams: the searched columns side by side, a tenth of the table to scan.
        f"CREATE INDEX IF NOT EXISTS {SQLITE_NAMES_INDEX} ON lead ({columns})",
    ]


def sqlite_fts_drop_ddl() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{s}" for s in ("ai", "ad", "au")] + [
        f"DROP TABLE IF EXISTS {FTS_TABLE}", f"DROP INDEX IF EXISTS {SQLITE_NAMES_INDEX}"]


def postgresql_trigram_ddl() -> list[str]:
    """pg_trgm and a GIN trigram index per searched text column (CONCURRENTLY is not used: migrations run
    in a transaction; on a large live zone, build them by hand first with CREATE INDEX CONCURRENTLY)."""
    return ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
        f"CREATE INDEX IF NOT EXISTS {name} ON lead USING gin ({column} gin_trgm_ops)"
        for name, column in TRIGRAM_INDEXES.items()]


def postgresql_trigram_drop_ddl() -> list[str]:
    return [f"DROP INDEX IF EXISTS {name}" for name in TRIGRAM_INDEXES]


def include_name(name, type_, parent_names) -> bool:
    """Alembic autogenerate filter: the search objects and the dialect-only indexes (crm.core.indexes) live
    outside the models on purpose."""
    if type_ == "table":
        return not (name == FTS_TABLE or name in FTS_SHADOW)
    if type_ == "index":
        from crm.core.indexes import POSTGRESQL_INDEXES

        return name not in TRIGRAM_INDEXES and name != SQLITE_NAMES_INDEX and name not in POSTGRESQL_INDEXES
    return True
