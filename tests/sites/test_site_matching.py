"""Matching sites to a lead: ranking and reasons on constructed sites."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from crm.sites import matching, services
from crm.sites.models import Site
from tests.factories import make_lead, make_user
from tests.projects.kit import make_site

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context("/?lang=en"):
        yield


def lead_like(**fields):
    values = {"kind": "factory_rental", "land_mu": None, "floor_area_m2": None, "budget_wan": None,
              "intended_use": "", "message": ""}
    values.update(fields)
    return SimpleNamespace(**values)


def site_like(code, kind="standard_factory", **fields):
    values = {"code": code, "kind": kind, "area_m2": None, "land_mu": None, "ceiling_height_m": None,
              "floor_load_t_m2": None, "power_kva": None, "rent_yuan_m2_month": None, "price_wan": None}
    values.update({k: Decimal(str(v)) if isinstance(v, int | float) else v for k, v in fields.items()})
    return Site(**values)


def test_specifications_are_read_from_the_leads_notes():
    assert matching.read_specifications("需要层高8米，承重3吨/㎡，用电500kVA") == {
        "ceiling_height_m": Decimal("8"), "floor_load_t_m2": Decimal("3"), "power_kva": Decimal("500")}
    assert matching.read_specifications("clear height 9.5 m, floor load 800 kg/m2, power 1250 kVA") == {
        "ceiling_height_m": Decimal("9.5"), "floor_load_t_m2": Decimal("0.8"), "power_kva": Decimal("1250")}
    assert matching.read_specifications("电子元件组装") == {}


def test_ranking_puts_full_fits_first_and_explains_every_criterion():
    lead = lead_like(floor_area_m2=Decimal("2000"), budget_wan=Decimal("60"),
                     intended_use="精密加工，层高8米，承重2吨，用电400kVA")
    needs = matching.requirements_of(lead)
    sites = [
        site_like("A-exact", area_m2=2000, ceiling_height_m=9, floor_load_t_m2=3, power_kva=630, rent_yuan_m2_month=20),
        site_like("B-close", area_m2=2500, ceiling_height_m=8, floor_load_t_m2=2, power_kva=400, rent_yuan_m2_month=18),
        site_like("C-low", area_m2=2000, ceiling_height_m=6, floor_load_t_m2=3, power_kva=630, rent_yuan_m2_month=15),
        site_like("D-small", area_m2=900, ceiling_height_m=9, floor_load_t_m2=3, power_kva=630, rent_yuan_m2_month=15),
        site_like("E-unknown", area_m2=2000),
    ]
    ranked = matching.rank(sites, needs, Decimal("0.30"))
    assert [m.site.code for m in ranked] == ["A-exact", "B-close", "E-unknown", "C-low", "D-small"]
    best = ranked[0]
    assert best.score == 100 and best.fits
    # 2000 m² × 20 元 × 12 = 48 万元 a year, within 60.
    assert any(r.ok and "48" in r.text for r in best.reasons)
    close = ranked[1]
    # Area 25% over the need: within the 30% tolerance, scored 1 - 0.25/0.3 * 0.5 of 30 points.
    area_points = (1 - 0.25 / 0.30 * 0.5) * 30
    # Of 100 possible points: kind 30, area, ceiling, load, power and budget 10 each.
    assert close.score == round(30 + area_points + 10 + 10 + 10 + 10) == 88
    assert any(r.ok and "within 30%" in r.text for r in close.reasons)
    low = next(m for m in ranked if m.site.code == "C-low")
    assert not low.fits and any(r.ok is False and "Ceiling 6 m" in r.text for r in low.reasons)
    small = next(m for m in ranked if m.site.code == "D-small")
    assert any(r.ok is False and "55% smaller" in r.text for r in small.reasons)
    unknown = next(m for m in ranked if m.site.code == "E-unknown")
    assert unknown.fits and sum(r.ok is None for r in unknown.reasons) == 4


def test_land_leads_compare_mu_and_price_and_ignore_building_specs():
    lead = lead_like(kind="land", land_mu=Decimal("80"), budget_wan=Decimal("3000"), intended_use="层高12米")
    needs = matching.requirements_of(lead)
    plots = [site_like("L1", "land_plot", land_mu=100, price_wan=2800),
             site_like("L2", "land_plot", land_mu=80, price_wan=3500),
             site_like("L3", "land_plot", land_mu=200, price_wan=2000)]
    ranked = matching.rank(plots, needs, Decimal("0.30"))
    assert [m.site.code for m in ranked] == ["L1", "L2", "L3"]
    assert ranked[0].fits and not ranked[1].fits and not ranked[2].fits
    assert any("150% larger" in r.text for r in ranked[2].reasons)
    assert not any("Ceiling" in r.text for m in ranked for r in m.reasons)


def test_an_investment_lead_prefers_land_but_considers_factories():
    needs = matching.requirements_of(lead_like(kind="investment"))
    assert needs.kinds == ("land_plot", "standard_factory")
    plot = matching.score_site(site_like("P", "land_plot", land_mu=10), needs, Decimal("0.3"))
    factory = matching.score_site(site_like("F", area_m2=10), needs, Decimal("0.3"))
    assert plot.score == 100 and factory.score == 50


def test_matches_for_a_lead_offer_only_free_sites_of_the_needed_kind(db):
    officer = make_user("officer")
    lead = make_lead(owner=officer, stage="site_visit", kind="factory_rental", floor_area_m2=Decimal("2000"))
    other = make_lead(owner=officer, stage="site_visit")
    free = make_site(code="FREE", area_m2=Decimal("2000"))
    make_site(code="PLOT", kind="land_plot")
    make_site(code="LET", status="let")
    held = make_site(code="HELD")
    lapsed = make_site(code="LAPSED")
    services.reserve_site(held.id, other, by=officer, until=TODAY + timedelta(days=9), today=TODAY)
    services.reserve_site(lapsed.id, other, by=officer, until=TODAY - timedelta(days=0), today=TODAY)
    db.session.commit()
    codes = [m.site.code for m in matching.matches_for(lead, TODAY + timedelta(days=1))]
    assert codes == ["FREE", "LAPSED"]
    assert free.id
