"""Lead search through the trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL), with LIKE for short terms."""

import pytest
from sqlalchemy import select, text

from crm.core import search
from crm.extensions import db as _db
from crm.leads.models import Lead
from crm.leads.queries import LeadFilters, filtered_leads, search_condition
from tests.factories import make_lead, make_user


def _found(q: str) -> set[str]:
    user = make_user("manager") if not hasattr(_found, "user") else _found.user
    return {lead.company_name for lead in _db.session.scalars(filtered_leads(LeadFilters(q=q), user=user))}


@pytest.fixture
def zone(db):
    _found.user = make_user("manager")
    make_lead(company_name="湖南意华交通装备股份有限公司", contact_name="王建国", mobile="+8613812345678")
    make_lead(company_name="株洲智点科技有限公司", contact_name="李娜", mobile="+8613900001111")
    make_lead(company_name="Nordhavn Drive Systems GmbH", contact_name="Anna Keller", mobile="+4917012345678")
    make_lead(company_name="50% Rabatt_Test AG", contact_name="O'Brien \"Quote\"", mobile="+8613700002222")
    yield
    del _found.user


def test_three_chinese_characters_match_a_substring(zone):
    assert _found("交通装备") == {"湖南意华交通装备股份有限公司"}
    assert _found("王建国") == {"湖南意华交通装备股份有限公司"}


def test_two_chinese_characters_still_match(zone):
    """Trigrams need three characters: 意华 falls back to LIKE and still finds the lead."""
    assert _found("意华") == {"湖南意华交通装备股份有限公司"}
    assert _found("智点") == {"株洲智点科技有限公司"}


def test_a_full_legal_name_finds_the_company_by_its_key(zone):
    assert _found("意华交通装备（株洲）有限公司") == {"湖南意华交通装备股份有限公司"}


def test_latin_text_is_case_insensitive(zone):
    assert _found("nordhavn") == {"Nordhavn Drive Systems GmbH"}
    assert _found("ANNA KEL") == {"Nordhavn Drive Systems GmbH"}


def test_mobile_digits_match_anywhere_in_the_number(zone):
    assert _found("1234 5678") == {"湖南意华交通装备股份有限公司", "Nordhavn Drive Systems GmbH"}
    assert _found("0000 1111") == {"株洲智点科技有限公司"}


@pytest.mark.parametrize("q", ['"', "AND", "NEAR(", "a*b", "col:umn", "O'Brien \"Quote\"", "50%", "t_Te", "))((",
                               "-", "^意华", "{x}"])
def test_search_syntax_is_matched_literally_never_an_error(zone, q):
    found = _found(q)
    if q in ("O'Brien \"Quote\"", "50%", "t_Te"):
        assert found == {"50% Rabatt_Test AG"}
    else:
        assert "湖南意华交通装备股份有限公司" not in found or q == "^意华"


def test_percent_and_underscore_are_not_wildcards(zone):
    assert _found("0%R") == {"50% Rabatt_Test AG"}
    assert _found("t_T") == {"50% Rabatt_Test AG"}
    assert _found("交_装") == set()


def test_the_index_follows_edits_and_deletes(zone):
    lead = _db.session.scalar(select(Lead).where(Lead.company_name.like("株洲智点%")))
    lead.company_name, lead.company_key = "株洲新名字电子有限公司", "新名字电子"
    _db.session.commit()
    assert _found("智点科技") == set()
    assert _found("新名字电子") == {"株洲新名字电子有限公司"}
    _db.session.delete(lead)
    _db.session.commit()
    assert _found("新名字电子") == set()


def test_a_stage_change_leaves_the_search_index_alone(zone):
    lead = _db.session.scalar(select(Lead).where(Lead.company_name.like("湖南意华%")))
    lead.stage = "contacted"
    _db.session.commit()
    assert _found("交通装备") == {"湖南意华交通装备股份有限公司"}


def test_the_search_page_shows_matches(zone, client, login):
    login(_found.user)
    page = client.get("/leads?q=交通装备").get_data(as_text=True)
    assert "湖南意华交通装备股份有限公司" in page and "株洲智点科技有限公司" not in page
    page = client.get("/leads?q=意华").get_data(as_text=True)
    assert "湖南意华交通装备股份有限公司" in page


def test_the_trigram_index_serves_the_search(zone):
    """The plan reads the search index, not the whole table (PostgreSQL: with seq scans priced out, as on a
    large table; a four-row table would rightly be scanned)."""
    condition = search_condition("交通装备")
    query = select(Lead.id).where(condition)
    compiled = query.compile(_db.engine, compile_kwargs={"literal_binds": True})
    connection = _db.session.connection()
    if connection.dialect.name == "sqlite":
        plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
        assert search.FTS_TABLE in plan and "VIRTUAL TABLE" in plan, plan
    else:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}"))
        assert "ix_lead_company_name_trgm" in plan, plan


def test_a_short_term_is_scanned_once_and_passed_on_as_ids(zone, monkeypatch):
    seen = []
    from sqlalchemy import event

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        condition = search.text_condition("意华")
    finally:
        event.remove(_db.engine, "before_cursor_execute", listener)
    assert len(seen) == 1 and "LIKE" in seen[0].upper() and "lead_fts" not in seen[0]
    assert "LIKE" not in str(condition.compile(_db.engine)).upper()  # the count and the page get the ids


def test_a_short_term_with_many_matches_stays_a_subquery(zone, monkeypatch):
    monkeypatch.setattr(search, "SHORT_TERM_IDS", 1)
    assert _found("有限") == {"湖南意华交通装备股份有限公司", "株洲智点科技有限公司"}
    assert "LIKE" in str(search.text_condition("有限").compile(_db.engine)).upper()
