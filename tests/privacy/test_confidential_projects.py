"""A confidential lead's project follows its lead: the register, the project page, its history, the stalled
lists, the brief, the export and the API show its investor to the lead's circle only (owner, linked sponsoring
leader, managers, admins); everyone else sees the lead's codename."""

import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from privacy_helpers import page
from pypdf import PdfReader
from sqlalchemy import select

from crm.auth import services as accounts
from crm.core.formatting import local_today
from crm.extensions import db
from crm.leads import services as leads
from crm.privacy import services as privacy
from crm.projects import services as projects
from crm.projects.models import Project
from tests.projects.kit import credit_code, make_project, negotiating_lead

COMPANY = "湖南星驰动力科技有限公司"
CODENAME = "项目A-07"
CREDIT = credit_code(4242)
SECRETS = ("星驰", CREDIT)


def _signed_confidential(owner) -> Project:
    """A confidential lead of `owner`, signed: its project."""
    lead = negotiating_lead(owner=owner, company_name=COMPANY, credit_code=CREDIT)
    privacy.set_confidential(lead, confidential=True, codename=CODENAME, by=owner)
    leads.move_lead(lead, "signed", by=owner)
    db.session.commit()
    return db.session.scalar(select(Project).where(Project.lead_id == lead.id))


@pytest.fixture
def project(people) -> Project:
    return _signed_confidential(people.owner)


def _hidden(text: str) -> None:
    assert CODENAME in text
    for secret in SECRETS:
        assert secret not in text, secret


def _shown(text: str) -> None:
    assert COMPANY in text


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages).replace(" ", "").replace(
        "\n", "")


def _api(user) -> tuple:
    from flask import current_app

    headers = {"Authorization": f"Bearer {accounts.create_token(user, 't')}"}
    db.session.commit()
    return current_app.test_client(), headers


# ------------------------------------------------------------------------------------------------ pages

def test_the_project_keeps_its_investor_and_its_lead(project):
    assert (project.name, project.company_name, project.credit_code) == (COMPANY, COMPANY, CREDIT)
    assert project.lead.is_confidential


def test_other_officers_see_the_codename_in_the_register_and_on_the_page(people, browser_as, project):
    other = browser_as(people.other)
    _hidden(page(other, "/projects"))
    html = page(other, f"/projects/{project.id}")
    _hidden(html)
    assert f"/projects/{project.id}/edit" not in html


@pytest.mark.parametrize("reader", ["owner", "manager", "admin"])
def test_the_leads_circle_sees_the_investor(people, browser_as, project, reader):
    client = browser_as(getattr(people, reader))
    _shown(page(client, "/projects"))
    html = page(client, f"/projects/{project.id}")
    assert COMPANY in html and CREDIT in html


def test_a_linked_sponsoring_leader_sees_the_investor(people, browser_as, project):
    privacy.set_confidential(project.lead, confidential=True, codename=CODENAME, by=people.manager,
                             sponsoring_leader=people.other, change_leader=True)
    db.session.commit()
    _shown(page(browser_as(people.other), f"/projects/{project.id}"))


def test_the_officer_given_the_project_sees_the_investor(people, browser_as, project):
    project.owner_id = people.other.id
    db.session.commit()
    client = browser_as(people.other)
    html = page(client, f"/projects/{project.id}")
    assert COMPANY in html and CREDIT in html
    assert COMPANY in page(client, "/projects?q=星驰")  # found by its name, not only by codename


def test_lifting_the_leads_confidentiality_shows_the_project_to_everyone(people, browser_as, project):
    privacy.set_confidential(project.lead, confidential=False, codename=None, by=people.manager)
    db.session.commit()
    _shown(page(browser_as(people.other), f"/projects/{project.id}"))


def test_a_project_added_by_hand_shows_to_everyone(people, browser_as):
    added = make_project(by=people.manager, name="手工项目", company_name="公开科技有限公司")
    assert "公开科技有限公司" in page(browser_as(people.other), f"/projects/{added.id}")


def test_the_history_hides_a_changed_name_and_credit_code(people, browser_as, project):
    projects.update_project(project, {"name": "星驰动力二期", "credit_code": credit_code(4343)}, by=people.manager,
                            expected_version=project.version)
    db.session.commit()
    html = page(browser_as(people.other), f"/projects/{project.id}")
    _hidden(html)
    assert credit_code(4343) not in html and "二期" not in html
    assert "星驰动力二期" in page(browser_as(people.manager), f"/projects/{project.id}")


def test_search_finds_it_by_codename_or_code_but_not_by_the_company(people, browser_as, project):
    other = browser_as(people.other)
    assert f"/projects/{project.id}\"" not in page(other, "/projects?q=星驰")
    assert f"/projects/{project.id}\"" not in page(other, f"/projects?q={CREDIT}")
    assert f"/projects/{project.id}\"" in page(other, f"/projects?q={CODENAME}")
    assert f"/projects/{project.id}\"" in page(other, f"/projects?q={project.code}")
    assert f"/projects/{project.id}\"" in page(browser_as(people.owner), "/projects?q=星驰")
    assert f"/projects/{project.id}\"" in page(browser_as(people.manager), "/projects?q=星驰")


def test_an_officer_may_work_an_unowned_one_but_not_open_its_form(people, browser_as, project):
    project.owner_id = None
    db.session.commit()
    other = browser_as(people.other)
    assert other.get(f"/projects/{project.id}/edit").status_code == 403
    assert other.post(f"/projects/{project.id}/edit", data={"name": "x"}).status_code == 403
    assert browser_as(people.owner).get(f"/projects/{project.id}/edit").status_code == 200


def test_the_stalled_lists_show_the_codename(people, browser_as, project):
    start = project.milestone("construction_start")
    start.planned_on = local_today() - timedelta(days=30)
    db.session.commit()
    other = browser_as(people.other)
    assert CODENAME in page(other, "/projects")
    _hidden(page(other, "/projects/stalled/signed_not_started"))
    _shown(page(browser_as(people.owner), "/projects/stalled/signed_not_started"))


# ------------------------------------------------------------------------------------- brief and export

def test_the_brief_shows_the_codename_to_other_officers(people, browser_as, project, artifacts):
    response = browser_as(people.other).get(f"/projects/{project.id}/brief.pdf")
    assert response.status_code == 200
    (artifacts / "privacy-confidential-project-brief.pdf").write_bytes(response.data)
    _hidden(_pdf_text(response.data))
    assert COMPANY in _pdf_text(browser_as(people.manager).get(f"/projects/{project.id}/brief.pdf").data)


def _export_text(client, url="/projects/export.xlsx") -> str:
    response = client.get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    return "\n".join(" ".join("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True))


def test_the_export_shows_the_codename_to_other_officers(people, browser_as, project):
    _hidden(_export_text(browser_as(people.other)))
    text = _export_text(browser_as(people.owner))
    assert COMPANY in text and CREDIT in text


def test_the_tax_summary_shows_the_codename_to_other_officers(people, browser_as, project):
    _hidden(_export_text(browser_as(people.other), "/tax/export.xlsx"))
    text = _export_text(browser_as(people.owner), "/tax/export.xlsx")
    assert COMPANY in text and CREDIT in text


def test_a_site_names_the_confidential_project_by_its_codename(people, browser_as, project):
    from tests.projects.kit import make_site

    site = make_site(commit=False)
    site.status, site.project_id = "let", project.id
    db.session.commit()
    _hidden(page(browser_as(people.other), f"/sites/{site.id}"))
    _shown(page(browser_as(people.owner), f"/sites/{site.id}"))


# ------------------------------------------------------------------------------------------------- API

def test_the_api_shows_the_codename_to_other_officers(people, project):
    client, headers = _api(people.other)
    listed = client.get("/api/v1/projects", headers=headers).get_json()
    item = next(i for i in listed["items"] if i["id"] == project.id)
    assert (item["name"], item["company_name"], item["credit_code"]) == (CODENAME, CODENAME, None)
    assert item["is_confidential"] is True
    one = client.get(f"/api/v1/projects/{project.id}", headers=headers)
    assert one.status_code == 200
    _hidden(json.dumps(one.get_json(), ensure_ascii=False))
    assert client.get("/api/v1/projects?q=星驰", headers=headers).get_json()["total"] == 0
    assert client.get(f"/api/v1/projects?q={CODENAME}", headers=headers).get_json()["total"] == 1


@pytest.mark.parametrize("reader", ["owner", "manager"])
def test_the_api_shows_the_investor_to_the_leads_circle(people, project, reader):
    client, headers = _api(getattr(people, reader))
    one = client.get(f"/api/v1/projects/{project.id}", headers=headers).get_json()
    assert (one["name"], one["company_name"], one["credit_code"]) == (COMPANY, COMPANY, CREDIT)
    assert client.get("/api/v1/projects?q=星驰", headers=headers).get_json()["total"] == 1


def test_the_register_names_its_projects_without_a_query_per_row(people, browser_as, project):
    from sqlalchemy import event

    other = browser_as(people.other)
    statements = []

    def count(*_args):
        statements.append(1)

    def queries_for_register() -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            _hidden(page(other, "/projects"))
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    one = queries_for_register()
    for n in range(4):
        owner = people.owner if n % 2 else people.manager
        lead = negotiating_lead(owner=owner, company_name=f"另一家{n}有限公司")
        privacy.set_confidential(lead, confidential=True, codename=f"项目B-{n:02d}", by=owner)
        leads.move_lead(lead, "signed", by=owner)
        db.session.commit()
    assert queries_for_register() == one
