"""Project pages: the register, a project, milestones with audit, capital, problems, export."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crm.core.formatting import local_today
from crm.extensions import db
from crm.projects.models import CapitalRecord, Problem, Project, ProjectEvent
from crm.tax.models import TaxRecord
from tests.factories import make_user
from tests.projects.kit import make_project


def _signed_project(manager, **fields):
    today = local_today()
    return make_project(by=manager, milestones={
        "signed": (today - timedelta(days=400), today - timedelta(days=400)),
        "construction_start": (today - timedelta(days=100), None)}, **fields)


def _register(client, url: str) -> str:
    """The register table of a page, without the stalled lists below it."""
    return client.get(url).get_data(as_text=True).split("推进滞缓项目")[0]


def test_the_register_shows_tabs_rates_and_stalled_lists(client, login):
    manager = login(make_user("manager"))
    project = _signed_project(manager, name="湖南意华交通装备产业园", sponsoring_leader="刘副区长", is_key=True,
                              land_mu=Decimal("120"))
    make_project(by=manager, name="谋划中的项目")
    page = client.get("/projects").get_data(as_text=True)
    assert "湖南意华交通装备产业园" in page and "谋划中的项目" in page
    for label in ("已签约", "已开工", "已竣工", "已投产", "谋划", "开工率", "投产率", "资金到位率", "已签约未开工"):
        assert label in page, label
    signed_tab = client.get("/projects?phase=signed").get_data(as_text=True)
    assert "湖南意华交通装备产业园" in signed_tab and "谋划中的项目" not in signed_tab
    assert "湖南意华" in _register(client, "/projects?flag=key&leader=刘副区长")
    assert "湖南意华" not in _register(client, "/projects?flag=500_strong")
    assert client.get("/projects?phase=bogus&sort=bogus&year=abc&page=0").status_code == 200
    assert client.get("/projects/stalled/signed_not_started").status_code == 200
    assert client.get("/projects/stalled/nonsense").status_code == 404
    assert project.id


def test_the_project_page_shows_tax_against_promise(client, login):
    manager = login(make_user("manager"))
    project = _signed_project(manager, land_mu=Decimal("40"), promised_tax_wan=Decimal("1000"))
    year = local_today().year - 1
    for quarter in (1, 2, 3, 4):
        db.session.add(TaxRecord(taxpayer_key="k", company_name="c", company_key="", project_id=project.id,
                                 period=f"{year}Q{quarter}", year=year, quarter=quarter, kind="total",
                                 amount_wan=Decimal("50")))
    db.session.commit()
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "200 万元" in page  # realised last full year
    assert "5 万元" in page  # 200 / 40 mu
    assert "20%" in page  # of the promised 1,000
    assert "<svg" in page  # the quarterly trend


def test_milestone_dates_are_edited_with_audit(client, login):
    manager = login(make_user("manager"))
    project = _signed_project(manager)
    started = local_today() - timedelta(days=3)
    response = client.post(f"/projects/{project.id}/milestones/construction_start",
                           data={"planned_on": (local_today() - timedelta(days=100)).isoformat(),
                                 "actual_on": started.isoformat()})
    assert response.status_code == 303
    db.session.expire_all()
    project = db.session.get(Project, project.id)
    assert project.milestone("construction_start").actual_on == started and project.phase == "started"
    event = db.session.scalar(select(ProjectEvent).where(ProjectEvent.field == "construction_start.actual_on"))
    assert (event.old_value, event.new_value, event.user_id) == (None, started.isoformat(), manager.id)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "滞后 97 天" in page  # started 97 days after plan
    future = client.post(f"/projects/{project.id}/milestones/completion",
                         data={"actual_on": (local_today() + timedelta(days=5)).isoformat()})
    assert future.status_code == 422
    early = client.post(f"/projects/{project.id}/milestones/completion",
                        data={"actual_on": (started - timedelta(days=10)).isoformat()})
    assert early.status_code == 422
    assert client.post(f"/projects/{project.id}/milestones/nope", data={}).status_code == 404
    assert client.post(f"/projects/{project.id}/milestones/completion", data={"actual_on": "x"}).status_code == 400


def test_capital_in_place_per_quarter(client, login):
    manager = login(make_user("manager"))
    project = _signed_project(manager, investment_wan=Decimal("10000"))
    today = local_today()
    quarter = (today.month - 1) // 3 + 1
    data = {"year": today.year, "quarter": str(quarter), "amount_wan": "2,500"}
    assert client.post(f"/projects/{project.id}/capital", data=data).status_code == 303
    data["amount_wan"] = "3000"  # a correction of the same quarter
    assert client.post(f"/projects/{project.id}/capital", data=data).status_code == 303
    records = db.session.scalars(select(CapitalRecord)).all()
    assert [(r.year, r.quarter, r.amount_wan) for r in records] == [(today.year, quarter, Decimal("3000.00"))]
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "30%" in page
    future = {"year": today.year + 1, "quarter": "1", "amount_wan": "1"}
    assert client.post(f"/projects/{project.id}/capital", data=future).status_code == 422
    assert client.post(f"/projects/{project.id}/capital", data={**data, "amount_wan": "lots"}).status_code == 400


def test_problems_escalate_when_overdue(client, login):
    manager = login(make_user("manager"))
    project = _signed_project(manager, sponsoring_leader="陈副区长")
    overdue = (local_today() - timedelta(days=2)).isoformat()
    response = client.post(f"/projects/{project.id}/problems", data={
        "title": "10kV 专线未接入", "category": "power", "department": "供电公司", "responsible": "王工",
        "due_on": overdue})
    assert response.status_code == 303
    problem = db.session.scalar(select(Problem))
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "提级至陈副区长" in page
    register = client.get("/projects?only=escalated").get_data(as_text=True)
    assert project.name in register and "1 个超期问题" in register
    response = client.post(f"/projects/{project.id}/problems/{problem.id}",
                           data={"status": "resolved", "follow_up": "已接通"})
    assert response.status_code == 303
    db.session.expire_all()
    problem = db.session.get(Problem, problem.id)
    assert problem.status == "resolved" and problem.resolved_at and "已接通" in problem.follow_up
    assert project.name not in _register(client, "/projects?only=escalated")
    bad = client.post(f"/projects/{project.id}/problems", data={"title": "", "category": "weather",
                                                                 "department": "", "due_on": ""})
    assert bad.status_code == 400


def test_officers_edit_their_own_projects_only(client, login):
    manager = make_user("manager")
    officer = make_user("officer")
    mine = _signed_project(manager, owner_id=officer.id)
    theirs = _signed_project(manager, owner_id=make_user("officer").id)
    login(officer)
    assert client.get(f"/projects/{theirs.id}").status_code == 200
    assert client.get(f"/projects/{theirs.id}/edit").status_code == 403
    assert client.post(f"/projects/{theirs.id}/capital", data={}).status_code == 403
    assert client.get("/projects/new").status_code == 403
    response = client.post(f"/projects/{mine.id}/edit", data={
        "version": str(mine.version), "name": mine.name, "company_name": mine.company_name, "talents": "4",
        "is_key": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    mine = db.session.get(Project, mine.id)
    assert mine.talents == 4 and mine.is_key is False  # flags are a manager's call, ignored from officers


def test_a_manager_adds_a_planned_project_and_edits_with_versions(client, login):
    login(make_user("manager"))
    response = client.post("/projects/new", data={"name": "响水田园综合体", "company_name": "株洲响水农业发展有限公司",
                                                  "investment_wan": "30000", "land_mu": "600", "is_four_new": "y"})
    assert response.status_code == 302
    project = db.session.scalar(select(Project))
    assert (project.phase, project.is_four_new, project.code.startswith("XM-")) == ("planned", True, True)
    form = {"version": str(project.version), "name": "响水田园综合体（一期）", "company_name": project.company_name}
    assert client.post(f"/projects/{project.id}/edit", data=form).status_code == 302
    assert client.post(f"/projects/{project.id}/edit", data=form).status_code == 409
    assert client.post("/projects/new", data={"name": "", "company_name": ""}).status_code == 400


def test_exports_use_the_filters_and_chinese_headers(client, login):
    manager = login(make_user("manager"))
    _signed_project(manager, name="甲项目", is_key=True)
    _signed_project(manager, name="乙项目")
    response = client.get("/projects/export.xlsx?flag=key")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert "项目名称" in rows[0] and "亩均税收" in "".join(str(h) for h in rows[0])
    assert [r[1] for r in rows[1:]] == ["甲项目"]
    response = client.get("/tax/export.xlsx?phase=signed")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][1] == "项目名称" and {r[1] for r in rows[1:]} == {"甲项目", "乙项目"}


@pytest.mark.parametrize("path", ["/projects", "/projects/export.xlsx", "/sites", "/tax/export.xlsx"])
def test_pages_need_a_sign_in(client, path):
    response = client.get(path)
    assert response.status_code in (302, 401)


def test_project_json_has_the_api_fields(db, app):
    from crm.projects.api import project_json

    with app.test_request_context():
        manager = make_user("manager")
        project = make_project(by=manager, land_mu=Decimal("10"), promised_tax_wan=Decimal("100"))
        year = local_today().year - 1
        db.session.add(TaxRecord(taxpayer_key="k", company_name="c", company_key="", project_id=project.id,
                                 period=f"{year}Q1", year=year, quarter=1, kind="total", amount_wan=Decimal("25")))
        db.session.commit()
        data = project_json(project)
    for key in ("id", "code", "name", "credit_code", "phase", "land_mu", "investment", "promised_tax",
                "realised_tax", "tax_per_mu"):
        assert key in data
    assert (data["realised_tax"], data["tax_per_mu"], data["phase"]) == (25.0, 2.5, "planned")
    assert date.today().year - 1 <= data["realised_tax_year"] + 1
    with app.test_request_context():
        from crm.projects.api import projects_json_page
        from crm.projects.queries import ProjectFilters

        listing = projects_json_page(ProjectFilters(), local_today(), 1, 10)
    assert listing["total"] == 1 and listing["items"][0] == data
