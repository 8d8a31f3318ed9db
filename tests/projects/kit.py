"""Test data for sites, projects and tax: plain functions over the real services (shared by tests/sites,
tests/projects and tests/tax)."""

import csv
import io
import itertools
from datetime import date
from decimal import Decimal

from openpyxl import Workbook

from crm.extensions import db
from crm.leads.identity import credit_code_with_check
from crm.leads.models import Activity
from crm.projects import services as projects
from crm.sites import services as sites
from crm.sites.models import Site
from tests.factories import make_lead, make_user

_n = itertools.count(1)


def make_site(kind="standard_factory", status="available", commit=True, **fields):
    """A site created through create_site (by=None, as the demo seed does)."""
    n = next(_n)
    values = {"code": f"T-{n:04d}", "kind": kind, "park": "天易科技城", "name": f"测试房源{n}"}
    if kind == "land_plot":
        values["land_mu"] = Decimal("50")
    else:
        values["area_m2"] = Decimal("2000")
    values.update(fields)
    site = sites.create_site(values, by=None, status=status)
    if commit:
        db.session.commit()
    return site


def credit_code(n: int) -> str:
    """A valid unified social credit code, different for each n."""
    return credit_code_with_check(f"91430200{n:09d}")


def negotiating_lead(owner=None, **fields):
    """A lead ready to be signed: owner, a logged visit, investment, area and expected tax."""
    owner = owner or make_user("officer")
    values = {"kind": "land", "planned_investment_wan": Decimal("50000"), "land_mu": Decimal("80"),
              "expected_tax_wan": Decimal("3000")}
    values.update(fields)
    lead = make_lead(owner=owner, stage="negotiation", **values)
    db.session.add(Activity(lead_id=lead.id, kind="visit", outcome="看了地块", user_id=owner.id))
    db.session.commit()
    return lead


def make_project(by=None, *, milestones: dict | None = None, commit=True, **fields):
    """A project added by hand (by a manager), with milestone dates {kind: (planned, actual)}."""
    manager = by or make_user("manager")
    values = {"name": f"测试项目{next(_n)}", "company_name": f"测试项目公司{next(_n)}有限公司"}
    values.update(fields)
    project = projects.create_project(values, by=manager)
    for kind, (planned, actual) in (milestones or {}).items():
        projects.set_milestone(project, kind, planned_on=planned, actual_on=actual, by=manager,
                               today=date(2100, 1, 1))
    if commit:
        db.session.commit()
    return project


def xlsx_bytes(rows, sheet="Sheet1") -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def site_count() -> int:
    return db.session.query(Site).count()
