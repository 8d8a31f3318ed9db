"""The dashboard's figures are cached once for every reader, yet its stale-lead list names a confidential
lead as each reader may see it: the company for the lead's circle, the codename for everyone else."""

import csv
import io
from datetime import timedelta

import pytest
from privacy_helpers import confidential_lead, page

from crm.core.database import utcnow
from crm.dashboard import cache, figures, queries
from crm.extensions import db

COMPANY = "湖南星驰动力科技有限公司"
CODENAME = "项目D-09"


@pytest.fixture
def cached(app, monkeypatch):
    """The dashboard cache switched on (tests run without it), emptied before and after; counts how many
    times the figures are computed."""
    monkeypatch.setitem(app.config, "DASHBOARD_CACHE_SECONDS", 300)
    built = []
    real = queries.Dashboard
    monkeypatch.setattr(queries, "Dashboard", lambda *args, **kwargs: built.append(args) or real(*args, **kwargs))
    cache.clear()
    yield built
    cache.clear()


@pytest.fixture
def stale_secret(people):
    lead = confidential_lead(people.owner, codename=CODENAME)
    lead.created_at = lead.stage_entered_at = utcnow() - timedelta(days=90)
    db.session.commit()
    return lead


def _stale_table(html: str) -> str:
    start = html.index('data-section="stale"')
    return html[start:html.index("</table>", start)]


@pytest.mark.parametrize("first", ["other", "manager"])
def test_one_cached_page_names_the_lead_for_each_reader(people, browser_as, cached, stale_secret, first):
    readers = {name: browser_as(getattr(people, name)) for name in ("other", "manager", "owner", "admin")}
    order = [first] + [name for name in readers if name != first]
    seen = {name: _stale_table(page(readers[name], "/dashboard")) for name in order}
    assert len(cached) == 1  # computed once, for whoever came first
    assert CODENAME in seen["other"] and "星驰" not in seen["other"]
    for name in ("manager", "owner", "admin"):
        assert COMPANY in seen[name], name
    assert CODENAME in _stale_table(page(readers["other"], "/dashboard"))  # a later hit: still the codename


def test_the_cached_page_itself_keeps_no_readers_view(people, browser_as, cached, stale_secret):
    page(browser_as(people.manager), "/dashboard")
    [(_expires, kept, _at)] = cache._entries.values()
    stale = next(s for s in kept.sections if s.key == "stale")
    [row] = stale.rows
    assert isinstance(row[1], figures.LeadName)
    assert str(row[1]) == CODENAME  # shown unresolved, it falls back to the codename
    assert row[1].for_reader(people.owner) == COMPANY and row[1].for_reader(people.other) == CODENAME


def _csv_text(client) -> str:
    response = client.get("/dashboard/stale.csv")
    assert response.status_code == 200
    return "\n".join(",".join(row) for row in csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_stale_csv_names_the_lead_for_its_reader(people, browser_as, stale_secret):
    text = _csv_text(browser_as(people.other))
    assert CODENAME in text and "星驰" not in text
    assert COMPANY in _csv_text(browser_as(people.manager))


def test_an_ordinary_lead_shows_its_company_to_everyone(people, browser_as, cached):
    from privacy_helpers import owned_lead

    lead = owned_lead(people.owner, company_name="普通企业有限公司")
    lead.created_at = lead.stage_entered_at = utcnow() - timedelta(days=90)
    db.session.commit()
    assert "普通企业有限公司" in _stale_table(page(browser_as(people.other), "/dashboard"))
    assert "普通企业有限公司" in _stale_table(page(browser_as(people.manager), "/dashboard"))
