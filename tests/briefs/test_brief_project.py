"""The project brief: figures, milestones planned vs actual, tax against promise and the zone's median."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from crm.core.formatting import local_today
from crm.extensions import db as _db
from tests.briefs import pdfs
from tests.factories import make_industry, make_user

projects = pytest.importorskip("crm.projects.services")
pytestmark = pdfs.needs_poppler

BRIEF = "/projects/{}/brief.pdf"


def add_tax(project, year: int, amount: str) -> None:
    """One year's tax for the project, as four quarterly records (what the tax office's sheet gives)."""
    from crm.tax.models import TaxRecord

    for quarter in range(1, 5):
        _db.session.add(TaxRecord(
            taxpayer_key=f"p{project.id}", company_name=project.company_name, company_key=project.company_key,
            project_id=project.id, period=f"{year}Q{quarter}", year=year, quarter=quarter, kind="vat",
            amount_wan=Decimal(amount) / 4))
    _db.session.flush()


def a_project(manager, name, land_mu, **fields):
    values = {"name": name, "company_name": f"{name}有限公司", "land_mu": Decimal(land_mu)}
    values.update(fields)
    return projects.create_project(values, by=manager)


@pytest.fixture
def zone(db):
    """A producing project (40 万元/mu last year) among three others (10, 20, 30): the zone median is 25."""
    manager = make_user("manager", name="王局长")
    make_industry()
    last = local_today().year - 1
    project = a_project(manager, "湖南智点智能装备产业园", "100", industry_code="nev", investment_wan=Decimal("120000"),
                        promised_tax_wan=Decimal("5000"), expected_output_wan=Decimal("200000"), jobs=800,
                        is_key=True, is_four_new=True, sponsoring_leader="刘副区长", credit_code=None,
                        description="智能网联汽车零部件研发和生产基地")
    start = date(last - 2, 3, 1)
    for kind, planned, actual in (
            ("signed", start, start),
            ("land_handover", start + timedelta(days=60), start + timedelta(days=75)),
            ("construction_start", start + timedelta(days=90), start + timedelta(days=120)),
            ("completion", start + timedelta(days=450), start + timedelta(days=440)),
            ("production", start + timedelta(days=540), start + timedelta(days=560))):
        projects.set_milestone(project, kind, planned_on=planned, actual_on=actual, by=manager)
    add_tax(project, last - 1, "2600")
    add_tax(project, last, "4000")
    for n, per_mu in enumerate((10, 20, 30)):
        other = a_project(manager, f"株洲对照项目{n}", "50")
        add_tax(other, last, str(per_mu * 50))
    _db.session.commit()
    return manager, project


def test_project_brief_in_chinese(client, login, zone, artifacts):
    manager, project = zone
    login(make_user("officer"))
    response = client.get(BRIEF.format(project.id))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.data
    pdfs.first_page_png(pdf, artifacts / "brief-project-zh.png")
    (artifacts / "brief-project-zh.pdf").write_bytes(pdf)
    content = pdfs.text(pdf)
    for expected in ("株洲高新区", "项目简报", "湖南智点智能装备产业园", project.code, "刘副区长", "新能源汽车",
                     "120,000 万元", "100 亩", "5,000 万元", "4,000 万元", "40 万元", "25 万元"):
        assert expected in content, expected
    assert 1 <= pdfs.page_count(pdf) <= 3
    assert all("BriefSans" in row.name and row.embedded for row in pdfs.fonts(pdf))


def test_project_brief_in_english(client, login, zone, artifacts):
    manager, project = zone
    login(manager)
    pdf = client.get(BRIEF.format(project.id) + "?lang=en").data
    pdfs.first_page_png(pdf, artifacts / "brief-project-en.png")
    content = pdfs.text(pdf)
    for expected in ("Project brief", "Milestones: planned and actual", "Tax: realised against promised",
                     "Tax per mu against the zone", "Zone median", "Realised tax", "Promised tax",
                     "zone median CNY 0.25 M over 4 projects"):
        assert expected in content, expected


def test_missing_project_is_404(client, login):
    login(make_user("officer"))
    assert client.get(BRIEF.format(424242)).status_code == 404


def test_project_with_no_dates_or_tax_still_prints(client, login):
    manager = make_user("manager")
    project = a_project(manager, "谋划中的项目", "0")
    _db.session.commit()
    login(manager)
    response = client.get(BRIEF.format(project.id) + "?lang=en")
    assert response.status_code == 200
    assert "谋划中的项目" in pdfs.text(response.data)


def test_zone_median_is_the_mean_of_the_middle_two(db):
    from crm.briefs.queries import zone_tax_per_mu_median

    manager = make_user("manager")
    year = local_today().year - 1
    for n, per_mu in enumerate((8, 12, 30, 1000)):
        add_tax(a_project(manager, f"项目{n}", "10"), year, str(per_mu * 10))
    a_project(manager, "没有土地的项目", "0")
    _db.session.commit()
    assert zone_tax_per_mu_median(year) == (Decimal("21.00"), 4)
    assert zone_tax_per_mu_median(year - 1) == (None, 0)
