"""Dashboard and targets pages: who may see and set what, bad input, and the CSV downloads."""

from decimal import Decimal

import pytest

from crm.dashboard.models import Target
from crm.extensions import db as _db
from tests.factories import make_user

PERIOD = "from=2026-01-01&to=2026-03-14"


@pytest.mark.parametrize("url", ["/dashboard", "/targets", "/dashboard/funnel.csv"])
def test_pages_need_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["officer", "manager", "admin"])
def test_everyone_signed_in_sees_dashboard_and_targets(client, login, role):
    login(make_user(role))
    page = client.get(f"/dashboard?{PERIOD}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('class="card dash-section') == 9 and "<svg" in html
    assert client.get("/targets").status_code == 200


def test_officer_cannot_set_targets(client, login):
    login(make_user("officer"))
    page = client.get("/targets").get_data(as_text=True)
    assert 'name="key_projects"' not in page
    response = client.post("/targets", data={"year": "2026", "key_projects": "200"})
    assert response.status_code == 403
    assert _db.session.scalar(_db.select(_db.func.count()).select_from(Target)) == 0


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_manager_and_admin_set_targets(client, login, role):
    user = login(make_user(role))
    response = client.post("/targets", data={
        "year": "2026", "key_projects": "200", "key_talents": "100", "investment_wan": "2,000,000",
        "started_or_completed": "100", "signed_leads": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/targets?year=2026")
    target = _db.session.scalar(_db.select(Target))
    assert (target.year, target.key_projects, target.key_talents, target.investment_wan,
            target.started_or_completed, target.signed_leads, target.updated_by_id) == (
        2026, 200, 100, Decimal("2000000.00"), 100, None, user.id)
    page = client.get("/targets?year=2026").get_data(as_text=True)
    assert 'data-target="key_projects"' in page and 'value="200"' in page


@pytest.mark.parametrize("data", [
    {"year": "", "key_projects": "1"},
    {"year": "1999", "key_projects": "1"},
    {"year": "2026", "key_projects": "-3"},
    {"year": "2026", "key_projects": "many"},
    {"year": "2026", "investment_wan": "1e400"},
    {"year": "2026\x00", "key_projects": "1"},
])
def test_bad_targets_are_refused_with_a_message(client, login, data):
    login(make_user("manager"))
    response = client.post("/targets", data=data)
    assert response.status_code == 400
    assert "invalid-feedback" in response.get_data(as_text=True)
    assert _db.session.scalar(_db.select(_db.func.count()).select_from(Target)) == 0


def test_targets_without_csrf_are_refused(client, login):
    login(make_user("manager"))
    assert client.post("/targets", data={"year": "2026"}, csrf=False).status_code == 400


@pytest.mark.parametrize("query", ["from=2026-13-01", "from=2026-03-01&to=2026-01-01", "stale_days=0",
                                   "stale_days=abc", "from=1900-01-01&to=2026-01-01"])
def test_bad_period_shows_the_default_with_a_400(client, login, query):
    login(make_user("manager"))
    response = client.get(f"/dashboard?{query}")
    assert response.status_code == 400
    assert "alert-warning" in response.get_data(as_text=True)
    assert client.get(f"/dashboard/funnel.csv?{query}").status_code == 400


def test_unknown_csv_section_is_a_404(client, login):
    login(make_user("manager"))
    assert client.get("/dashboard/secrets.csv").status_code == 404


def test_csv_downloads_carry_the_exact_figures(client, login, zone):
    login(zone["manager"])
    response = client.get(f"/dashboard/funnel.csv?{PERIOD}&lang=en")
    assert response.mimetype == "text/csv"
    assert "dashboard-funnel-2026-01-01-2026-03-14.csv" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).splitlines() == [
        "\ufeffStage,Leads reaching it,Conversion to next stage (%)",
        "Enquiry,9,55.56", "Contacted,5,60.0", "Site visit,3,66.67", "Negotiation,2,50.0", "Signed,1,"]
    cohorts = client.get(f"/dashboard/cohorts.csv?{PERIOD}&lang=en").get_data(as_text=True).splitlines()
    assert cohorts[1:] == ["2026-01,3,3,2,1,1,100.0,66.67,50.0,100.0", "2026-02,3,1,0,0,0,33.33,0.0,,",
                           "2026-03,3,1,1,1,0,33.33,100.0,100.0,0.0"]
    durations = client.get(f"/dashboard/durations.csv?{PERIOD}&lang=en").get_data(as_text=True).splitlines()
    assert durations[1:] == ["Enquiry,5.0,7", "Contacted,15.0,4", "Site visit,20.0,1", "Negotiation,20.0,1",
                             "On hold,49.0,1"]
    sources = client.get(f"/dashboard/sources.csv?{PERIOD}&lang=en").get_data(as_text=True).splitlines()
    assert sources[1:] == ["Web form,5,1,14000.00", "Hotline,2,0,3000.00", "Expo,1,0,2000.00",
                           "Referral,1,0,8000.00"]
    lost = client.get(f"/dashboard/lost.csv?{PERIOD}&lang=en").get_data(as_text=True).splitlines()
    assert lost[1:] == ["Chose another zone,2", "Land price too high,1"]


def test_dashboard_page_shows_the_period_figures(client, login, zone):
    login(zone["manager"])
    html = client.get(f"/dashboard?{PERIOD}&lang=en").get_data(as_text=True)
    assert 'data-kpi="leads">9<' in html
    assert 'data-kpi="signed">1 ' in html
    assert 'id="section-funnel"' in html and 'data-section="officers"' in html


def test_dashboard_page_is_cached_for_a_while_and_can_be_recomputed(app, client, login, monkeypatch):
    from crm.dashboard import cache, queries

    monkeypatch.setitem(app.config, "DASHBOARD_CACHE_SECONDS", 60)
    built = []
    real = queries.Dashboard
    monkeypatch.setattr(queries, "Dashboard", lambda *args, **kwargs: built.append(args) or real(*args, **kwargs))
    cache.clear()
    try:
        login(make_user("manager"))
        first = client.get(f"/dashboard?{PERIOD}").get_data(as_text=True)
        client.get(f"/dashboard?{PERIOD}")
        assert len(built) == 1 and "computed-at" in first
        client.get(f"/dashboard?{PERIOD}&stale_days=7")          # another question, another entry
        assert len(built) == 2
        client.get(f"/dashboard?{PERIOD}&refresh=1")
        assert len(built) == 3
    finally:
        cache.clear()


def test_tests_run_without_the_cache(app):
    from crm.dashboard import cache

    with app.app_context():
        assert cache.ttl_seconds() == 0
