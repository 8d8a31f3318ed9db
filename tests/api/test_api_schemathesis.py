"""Schemathesis calls every operation in /api/v1/openapi.json with generated input (valid and invalid) and
checks each answer: never a server error, always the documented status codes, content type and schema."""

from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from factories import make_industry, make_lead, make_user
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from crm.api.openapi import document
from crm.auth import services as accounts
from crm.core.formatting import local_today
from crm.extensions import db as _db
from crm.leads import services as leads

# One test per operation, named "GET /leads"... (schemathesis's own pytest plugin trips over pytest 9).
OPERATIONS = sorted((method.upper(), path) for path, item in document("http://localhost/api/v1")["paths"].items()
                    for method in item if method != "parameters")


@pytest.fixture
def sample(db):
    """Rows for the generated ids to find (ids start at 1 in the emptied database), and a manager's token."""
    manager, officer = make_user("manager"), make_user("officer")
    make_industry()
    lead = make_lead(by=officer, planned_investment_wan=Decimal("5000"), land_mu=Decimal("40"),
                     expected_tax_wan=Decimal("300"), industry_code="nev")
    leads.log_activity(lead, kind="visit", outcome="看了厂房", by=officer)
    make_lead(by=None)
    make_lead(by=officer, stage="contacted")
    from crm.projects import services as projects
    from crm.sites import services as sites

    projects.create_project({"name": "锂电池模组项目", "company_name": "湖南锐能新能源有限公司",
                             "land_mu": Decimal("50"), "investment_wan": Decimal("30000"),
                             "promised_tax_wan": Decimal("1500")}, by=manager)
    today = local_today()
    for n, kind in enumerate(("standard_factory", "land_plot", "office"), start=1):
        values = {"kind": kind, "park": "天易科技城", "code": f"ST-{n:03d}", "name": f"测试场地{n}"}
        values["land_mu" if kind == "land_plot" else "area_m2"] = Decimal("1200")
        site = sites.create_site(values, by=None)
    sites.reserve_site(site.id, lead, by=officer, until=today + timedelta(days=7), today=today)
    from crm.imports.models import LeadImport

    _db.session.add(LeadImport(user_id=officer.id, filename="展会名单.xlsx", status="done", total_rows=3, created=3))
    token = accounts.create_token(manager, "schemathesis")
    _db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_keeps_its_contract(app, sample, method, path):
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=20, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    def keeps_contract(case):
        case.call_and_validate(headers=sample, excluded_checks=[positive_data_acceptance])

    keeps_contract()
