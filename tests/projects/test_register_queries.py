"""Register figures computed in SQL, checked against numbers worked out by hand."""

from datetime import date
from decimal import Decimal

import pytest

from crm.extensions import db
from crm.projects import queries, services
from crm.tax.models import TaxRecord
from tests.factories import make_user
from tests.projects.kit import make_project

TODAY = date(2026, 6, 1)  # the last full year is 2025


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context("/?lang=en"):
        yield


def tax(project, year, quarter, amount, kind="total"):
    db.session.add(TaxRecord(taxpayer_key=f"p{project.id}", credit_code=None, company_name=project.company_name,
                             company_key="", project_id=project.id, period=f"{year}Q{quarter}", year=year,
                             quarter=quarter, kind=kind, amount_wan=Decimal(str(amount))))


def producing_since(day, **fields):
    return make_project(milestones={"signed": (date(2022, 1, 1), date(2022, 1, 1)),
                                    "construction_start": (date(2022, 5, 1), date(2022, 5, 1)),
                                    "completion": (date(2023, 5, 1), date(2023, 5, 1)),
                                    "production": (day, day)}, **fields)


@pytest.fixture
def zone(db):
    """Four projects with hand-computable 2025 figures."""
    manager = make_user("manager")
    under = producing_since(date(2024, 6, 1), by=manager, name="Under", land_mu=Decimal("50"),
                            promised_tax_wan=Decimal("1000"), is_key=True)
    for quarter, amount in ((1, 100), (2, 200), (3, 150), (4, 250)):
        tax(under, 2025, quarter, amount)  # 700 realised: 70% of 1000, 14 per mu
    tax(under, 2024, 4, 999)  # another year: ignored for 2025 figures
    good = producing_since(date(2023, 12, 1), by=manager, name="Good", land_mu=Decimal("20"),
                           promised_tax_wan=Decimal("500"), is_four_new=True)
    tax(good, 2025, 1, 300, "vat")
    tax(good, 2025, 1, 150, "corporate_income")  # 450 realised: 90% of 500, 22.5 per mu
    late_starter = producing_since(date(2025, 3, 1), by=manager, name="Recent", land_mu=Decimal("10"),
                                   promised_tax_wan=Decimal("800"))
    tax(late_starter, 2025, 4, 10)  # far below promise, but not a full year in production: not flagged
    no_land = producing_since(date(2023, 6, 1), by=manager, name="Rented", land_mu=None,
                              promised_tax_wan=Decimal("100"))
    # no tax at all in 2025: realised 0 < 80, flagged; no land so no tax per mu
    db.session.commit()
    return {"under": under, "good": good, "recent": late_starter, "rented": no_land, "manager": manager}


def test_tax_per_mu_and_under_delivery_by_hand(zone):
    under = queries.project_figures(zone["under"], TODAY)
    assert (under.year, under.realised, under.tax_per_mu, under.under_delivering) == (
        2025, Decimal("700.00"), Decimal("14.00"), True)
    good = queries.project_figures(zone["good"], TODAY)
    assert (good.realised, good.tax_per_mu, good.under_delivering) == (Decimal("450.00"), Decimal("22.50"), False)
    recent = queries.project_figures(zone["recent"], TODAY)
    assert (recent.tax_per_mu, recent.under_delivering, recent.in_production_full_year) == (
        Decimal("1.00"), False, False)
    rented = queries.project_figures(zone["rented"], TODAY)
    assert (rented.realised, rented.tax_per_mu, rented.under_delivering) == (None, None, True)


def test_the_register_ranks_by_tax_per_mu(zone):
    page = queries.register_page(queries.ProjectFilters(sort="tax_per_mu"), TODAY)
    assert [row.project.name for row in page.items] == ["Good", "Under", "Recent", "Rented"]
    assert [row.under_delivering for row in page.items] == [False, True, False, True]
    assert queries.flag_counts(TODAY)["under"] == 2
    only = queries.register_page(queries.ProjectFilters(only="under"), TODAY)
    assert {row.project.name for row in only.items} == {"Under", "Rented"}


def test_filters_and_tab_counts(zone):
    assert queries.phase_counts(queries.ProjectFilters(), TODAY) == {"in_production": 4, "all": 4}
    key = queries.register_page(queries.ProjectFilters(flag="key"), TODAY)
    assert [row.project.name for row in key.items] == ["Under"]
    four_new = queries.register_page(queries.ProjectFilters(flag="four_new", phase="in_production"), TODAY)
    assert [row.project.name for row in four_new.items] == ["Good"]
    assert queries.register_page(queries.ProjectFilters(phase="signed"), TODAY).total == 0
    assert queries.register_page(queries.ProjectFilters(q="recent"), TODAY).total == 1


def test_tax_by_year_and_quarter(zone):
    assert queries.tax_by_year(zone["under"].id) == [(2024, Decimal("999.00")), (2025, Decimal("700.00"))]
    assert queries.tax_by_quarter(zone["good"].id) == [(2025, 1, Decimal("450.00"))]


def test_rates_for_the_year(db):
    manager = make_user("manager")
    today = date(2025, 12, 31)
    # Three projects planned to start in 2025, two started by the year's end (one late, one on time).
    make_project(by=manager, milestones={"signed": (date(2025, 1, 5), date(2025, 1, 5)),
                                         "construction_start": (date(2025, 3, 1), date(2025, 3, 1))})
    make_project(by=manager, milestones={"signed": (date(2025, 1, 5), date(2025, 1, 5)),
                                         "construction_start": (date(2025, 4, 1), date(2025, 6, 1))})
    make_project(by=manager, milestones={"signed": (date(2025, 1, 5), date(2025, 1, 5)),
                                         "construction_start": (date(2025, 9, 1), None)})
    # A planned (unsigned) project never counts.
    make_project(by=manager, milestones={"construction_start": (date(2025, 5, 1), None)})
    # Production planned in 2025 and reached; committed 1000 with 250 + 150 in place by 2025.
    done = make_project(by=manager, investment_wan=Decimal("1000"),
                        milestones={"signed": (date(2024, 1, 5), date(2024, 1, 5)),
                                    "production": (date(2025, 8, 1), date(2025, 7, 1))})
    services.record_capital(done, 2024, 4, Decimal("250"), by=manager, today=today)
    services.record_capital(done, 2025, 2, Decimal("150"), by=manager, today=today)
    db.session.commit()
    rates = queries.year_rates(2025, today)
    assert (rates["construction_start"].done, rates["construction_start"].due) == (2, 3)
    assert (rates["completion"].done, rates["completion"].due) == (0, 0) and rates["completion"].share is None
    assert (rates["production"].done, rates["production"].due) == (1, 1)
    assert (rates["capital"].done, rates["capital"].due) == (Decimal("400"), Decimal("1000"))
    assert rates["capital"].share == pytest.approx(0.4)
    assert queries.capital_rate(2024) == (Decimal("1000"), Decimal("250"))


def test_stalled_lists(db):
    manager = make_user("manager")
    today = date(2026, 6, 1)
    waiting = make_project(by=manager, name="Waiting", milestones={
        "signed": (date(2025, 1, 1), date(2025, 1, 1)), "construction_start": (date(2025, 6, 1), None)})
    make_project(by=manager, name="Not yet due", milestones={
        "signed": (date(2026, 1, 1), date(2026, 1, 1)), "construction_start": (date(2026, 9, 1), None)})
    building = make_project(by=manager, name="Building", milestones={
        "signed": (date(2024, 1, 1), date(2024, 1, 1)), "construction_start": (date(2024, 3, 1), date(2024, 3, 1)),
        "completion": (date(2025, 12, 1), None)})
    idle = make_project(by=manager, name="Idle", milestones={
        "signed": (date(2023, 1, 1), date(2023, 1, 1)), "construction_start": (date(2023, 3, 1), date(2023, 3, 1)),
        "completion": (date(2024, 3, 1), date(2024, 4, 1)), "production": (date(2024, 9, 1), None)})
    lists = queries.stalled_lists(today)
    assert [(n, [r[0].name for r in rows]) for n, rows in lists.values()] == [
        (1, ["Waiting"]), (1, ["Building"]), (1, ["Idle"])]
    assert lists["signed_not_started"][1][0].waiting_since == date(2025, 6, 1)
    assert {waiting.phase, building.phase, idle.phase} == {"signed", "started", "completed"}


def test_target_actuals(db):
    manager = make_user("manager")
    make_project(by=manager, is_key=True, talents=3, investment_wan=Decimal("500"), milestones={
        "signed": (date(2025, 2, 1), date(2025, 2, 1)), "construction_start": (date(2025, 5, 1), date(2025, 5, 2))})
    make_project(by=manager, is_key=True, talents=1, investment_wan=Decimal("200"), milestones={
        "signed": (date(2023, 2, 1), date(2023, 2, 1)), "production": (date(2024, 5, 1), date(2024, 5, 1))})
    make_project(by=manager, is_key=False, talents=2, investment_wan=Decimal("100"), milestones={
        "signed": (date(2025, 3, 1), date(2025, 3, 1))})
    assert queries.target_actuals(2025) == {
        "key_projects": Decimal(1), "key_talents": Decimal(5), "investment_wan": Decimal("600.00"),
        "started_or_completed": Decimal(1)}
