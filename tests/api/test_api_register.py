"""GET /api/v1/projects and /api/v1/sites: the register with tax figures, the inventory with its filters."""

from datetime import timedelta
from decimal import Decimal

import pytest
from factories import make_lead, make_user

from crm.core.formatting import local_today
from crm.extensions import db as _db
from crm.projects import services as projects
from crm.sites import services as sites
from crm.tax.models import TaxRecord


def _assert_json_error(response, status, field=None):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] and isinstance(body["fields"], dict)
    if field:
        assert field in body["fields"], body["fields"]
    return body


def _project(manager, **values):
    project = projects.create_project({"name": "锂电池模组项目", "company_name": "湖南锐能新能源有限公司", **values},
                                      by=manager)
    _db.session.commit()
    return project


def _tax(project, year, amount):
    for quarter in (1, 2, 3, 4):
        _db.session.add(TaxRecord(taxpayer_key=f"p{project.id}", company_name=project.company_name, company_key="",
                                  project_id=project.id, period=f"{year}Q{quarter}", year=year, quarter=quarter,
                                  kind="total", amount_wan=Decimal(amount) / 4))
    _db.session.commit()


def _site(code, kind="standard_factory", **values):
    values = {"kind": kind, "park": "天易科技城", "code": code, "name": f"场地 {code}", **values}
    values.setdefault("land_mu" if kind == "land_plot" else "area_m2", Decimal("1000"))
    site = sites.create_site(values, by=None)
    _db.session.commit()
    return site


# --- projects --------------------------------------------------------------------------------------------

def test_projects_carry_the_contract_fields_and_tax_per_mu(client, db, auth):
    manager = make_user("manager")
    project = _project(manager, land_mu=Decimal("40"), investment_wan=Decimal("30000"),
                       promised_tax_wan=Decimal("1500"), credit_code="91430200MA4L16LJ9X")
    last_year = local_today().year - 1
    _tax(project, last_year, "1200")
    _tax(project, last_year - 1, "800")  # an older year does not count
    body = client.get("/api/v1/projects", headers=auth).get_json()
    assert set(body) == {"items", "total", "page", "per_page"} and body["total"] == 1
    [item] = body["items"]
    assert {"id", "code", "name", "credit_code", "phase", "land_mu", "investment", "promised_tax", "realised_tax",
            "tax_per_mu"} <= set(item)
    assert (item["id"], item["code"], item["name"]) == (project.id, project.code, "锂电池模组项目")
    assert (item["land_mu"], item["investment"], item["promised_tax"]) == (40, 30000, 1500)
    assert item["realised_tax"] == 1200 and item["realised_tax_year"] == last_year
    assert item["tax_per_mu"] == 30


def test_one_project_has_the_same_figures_and_its_milestones(client, db, auth):
    project = _project(make_user("manager"), land_mu=Decimal("10"))
    _tax(project, local_today().year - 1, "100")
    listed = client.get("/api/v1/projects", headers=auth).get_json()["items"][0]
    one = client.get(f"/api/v1/projects/{project.id}", headers=auth).get_json()
    assert {key: one[key] for key in listed} == listed
    assert one["tax_per_mu"] == 10 and isinstance(one["milestones"], list)


def test_projects_are_paginated_and_filtered(client, db, auth):
    manager = make_user("manager")
    for n in range(5):
        _project(manager, name=f"项目{n}", land_mu=Decimal(10 + n))
    body = client.get("/api/v1/projects?per_page=2&page=3", headers=auth).get_json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (5, 3, 2, 1)
    assert client.get("/api/v1/projects?q=项目3", headers=auth).get_json()["total"] == 1
    phases = {item["phase"] for item in client.get("/api/v1/projects", headers=auth).get_json()["items"]}
    assert client.get(f"/api/v1/projects?phase={phases.pop()}", headers=auth).get_json()["total"] == 5
    assert client.get("/api/v1/projects?phase=completed", headers=auth).get_json()["total"] == 0


@pytest.mark.parametrize(("query", "field"), [("phase=done", "phase"), ("flag=big", "flag"), ("sort=random", "sort")])
def test_unknown_project_filters_get_422(client, db, auth, query, field):
    _assert_json_error(client.get(f"/api/v1/projects?{query}", headers=auth), 422, field)


@pytest.mark.parametrize("project_id", ["1", "2147483647", "2147483648"])
def test_unknown_project_is_404_json(client, db, auth, project_id):
    _assert_json_error(client.get(f"/api/v1/projects/{project_id}", headers=auth), 404)


@pytest.mark.parametrize("q", ["\x00", "%", "_", "x" * 5000, "'; --"])
def test_hostile_project_searches_are_just_searches(client, db, auth, q):
    _project(make_user("manager"))
    assert client.get("/api/v1/projects", query_string={"q": q}, headers=auth).status_code == 200


# --- sites -----------------------------------------------------------------------------------------------

def test_sites_filter_by_kind_and_status(client, db, auth):
    officer = make_user("officer")
    lead = make_lead(by=officer)
    factory, plot = _site("F-1"), _site("L-1", kind="land_plot")
    _site("O-1", kind="office")
    today = local_today()
    sites.reserve_site(factory.id, lead, by=officer, until=today + timedelta(days=5), today=today)
    _db.session.commit()

    def codes(query=""):
        return [item["code"] for item in client.get(f"/api/v1/sites?{query}", headers=auth).get_json()["items"]]

    assert codes() == ["F-1", "L-1", "O-1"]
    assert codes("kind=land_plot") == ["L-1"]
    assert codes("status=reserved") == ["F-1"]
    assert codes("status=available&kind=office") == ["O-1"]
    assert codes("status=free") == ["L-1", "O-1"]
    [item] = client.get("/api/v1/sites?kind=land_plot", headers=auth).get_json()["items"]
    assert (item["id"], item["land_mu"], item["area_m2"], item["status"]) == (plot.id, 1000, None, "available")
    reserved = client.get(f"/api/v1/sites/{factory.id}", headers=auth).get_json()
    assert reserved["reserved_for_id"] == lead.id and reserved["reserved_until"] == (today + timedelta(days=5)).isoformat()


def test_sites_are_paginated(client, db, auth):
    for n in range(4):
        _site(f"S-{n}")
    body = client.get("/api/v1/sites?per_page=3&page=2", headers=auth).get_json()
    assert (body["total"], body["page"], len(body["items"])) == (4, 2, 1)


@pytest.mark.parametrize(("query", "field"), [("kind=castle", "kind"), ("status=gone", "status"),
                                               ("status=%00", "status")])
def test_unknown_site_filters_get_422(client, db, auth, query, field):
    _assert_json_error(client.get(f"/api/v1/sites?{query}", headers=auth), 422, field)


def test_unknown_site_is_404_json(client, db, auth):
    _assert_json_error(client.get("/api/v1/sites/12345", headers=auth), 404)


@pytest.mark.parametrize("url", ["/api/v1/projects", "/api/v1/projects/1", "/api/v1/sites", "/api/v1/sites/1"])
def test_the_register_needs_a_token(client, db, url):
    response = client.get(url)
    assert response.status_code == 401 and response.get_json()["error"]
