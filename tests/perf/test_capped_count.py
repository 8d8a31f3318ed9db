"""The lead list stops counting at a cap ("more than N found"); the API still counts every match."""

from crm.core.pagination import paginate
from crm.extensions import db as _db
from crm.leads import queries
from crm.leads.models import Lead
from tests.factories import make_lead, make_user


def _select():
    return _db.select(Lead).order_by(Lead.id)


def test_a_capped_count_says_there_are_more(db, monkeypatch):
    for _ in range(7):
        make_lead()
    page = paginate(_select(), 1, 2, count_cap=3)
    assert (page.total, page.capped, page.has_next, len(page.items)) == (4, True, True, 2)  # counted page 1 and 2
    exact = paginate(_select(), 1, 2, count_cap=10)
    assert (exact.total, exact.capped, exact.pages) == (7, False, 4)


def test_the_count_always_reaches_past_the_page_asked_for(db):
    for _ in range(7):
        make_lead()
    page = paginate(_select(), 3, 2, count_cap=1)  # rows 5-6 asked for: counted through row 8 at least
    assert [lead.id for lead in page.items] == [5, 6] and page.has_next
    last = paginate(_select(), 4, 2, count_cap=1)
    assert (last.total, last.capped, last.has_next, len(last.items)) == (7, False, False, 1)


def test_the_page_shows_more_than_when_capped(client, login, monkeypatch):
    monkeypatch.setattr(queries, "list_count_cap", lambda: 3)
    monkeypatch.setitem(client.application.config, "LEADS_PER_PAGE", 1)
    login(make_user("manager"))
    for _ in range(6):
        make_lead()
    html = client.get("/leads?lang=en").get_data(as_text=True)
    assert "More than 3 found" in html and "Page 1 of 3+" in html
    html = client.get("/leads?lang=zh_CN").get_data(as_text=True)
    assert "超过 3 条" in html


def test_only_postgresql_caps_the_list_count(db):
    from crm.core.search import dialect_name

    assert queries.list_count_cap() == (queries.LIST_COUNT_CAP if dialect_name() == "postgresql" else None)


def test_the_api_counts_every_match(client, db):
    from crm.auth import services as accounts

    user = make_user("manager")
    token = accounts.create_token(user, "t")
    _db.session.commit()
    for _ in range(4):
        make_lead()
    body = client.get("/api/v1/leads?per_page=1", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["total"] == 4
