"""Targets: actual, steady pace and forecast on the hand-computed zone; only managers set targets."""

import sys
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from crm.dashboard import demo, services, targets
from crm.dashboard.models import Target
from crm.extensions import db as _db
from tests.dashboard.conftest import REAL_PROJECT_ACTUALS, TODAY
from tests.factories import make_user

D = Decimal


def _set_2026(by):
    services.save_target(2026, {"key_projects": 200, "key_talents": 100, "investment_wan": D("2000000"),
                                "started_or_completed": 100, "signed_leads": 50}, by=by)
    _db.session.commit()


def _table(year, today=TODAY):
    return {line.field: (line.target, line.actual, line.pace, line.forecast)
            for line in targets.progress(year, today)}


def test_elapsed_fraction_of_the_year():
    assert targets.elapsed_fraction(2026, date(2026, 3, 14)) == D("0.2")   # day 73 of 365
    assert targets.elapsed_fraction(2026, date(2025, 12, 31)) == 0
    assert targets.elapsed_fraction(2026, date(2026, 12, 31)) == 1
    assert targets.elapsed_fraction(2024, date(2024, 12, 30)) == D(365) / D(366)


def test_progress_this_year(zone):
    _set_2026(zone["manager"])
    table = _table(2026)
    # Signed in 2026: only A (key, 10000). Pace = target × 20%. The forecast adds the live pipeline
    # expected by 31 December: C .35, D .15, E .05, F .05, H .6, K .05, Z .35 (M is due in 2027).
    assert table["signed_leads"] == (D(50), D(1), D("10.00"), D("2.60"))
    assert table["key_projects"] == (D(200), D(1), D("40.00"), D("1.60"))          # + H 0.6
    assert table["investment_wan"] == (D(2000000), D("10000.00"), D("400000.00"), D("18750.00"))  # + 8750
    assert table["key_talents"] == (D(100), D(0), D("20.00"), D(0))
    assert table["started_or_completed"] == (D(100), D(0), D("20.00"), D(0))


def test_progress_of_a_past_year_is_its_actual(zone):
    services.save_target(2025, {"signed_leads": 4, "investment_wan": D("20000")}, by=zone["manager"])
    _db.session.commit()
    table = _table(2025)
    assert table["signed_leads"] == (D(4), D(1), D("4.00"), D(1))          # Y, signed June 2025
    assert table["investment_wan"] == (D(20000), D("5000.00"), D("20000.00"), D("5000.00"))
    assert table["key_projects"] == (None, D(1), None, D(1))


def test_progress_of_next_year_counts_only_leads_expected_in_it(zone):
    table = _table(2027)
    assert table["signed_leads"] == (None, D(0), None, D("0.15"))          # M, due February 2027
    assert table["investment_wan"] == (None, D("0.00"), None, D("150.00"))


def test_on_track_and_shares(zone):
    _set_2026(zone["manager"])
    line = next(line for line in targets.progress(2026, TODAY) if line.field == "signed_leads")
    assert line.on_track is False
    assert line.share(line.actual) == 0.02
    assert line.share(line.forecast) == 0.052


def test_projects_hook_replaces_lead_based_figures(zone, monkeypatch):
    fake = SimpleNamespace(target_actuals=lambda year: {"key_projects": 7, "key_talents": 3,
                                                        "started_or_completed": 2})
    monkeypatch.setattr(targets, "project_actuals", REAL_PROJECT_ACTUALS)
    monkeypatch.setitem(sys.modules, "crm.projects.queries", fake)
    table = _table(2026)
    assert table["key_projects"][1] == D(7)
    assert table["key_projects"][3] == D("7.60")   # + key pipeline (H 0.6)
    assert table["key_talents"][1] == D(3)
    assert table["started_or_completed"][1] == D(2)
    assert table["signed_leads"][1] == D(1)        # still from leads


def test_officer_cannot_save_targets(db):
    with pytest.raises(services.TargetPermissionError):
        services.save_target(2026, {"key_projects": 1}, by=make_user("officer"))


def test_saving_again_updates_the_same_year(db):
    manager = make_user("manager")
    services.save_target(2026, {"key_projects": 1, "signed_leads": 5}, by=manager)
    services.save_target(2026, {"key_projects": 2, "signed_leads": None}, by=manager)
    _db.session.commit()
    rows = _db.session.scalars(_db.select(Target)).all()
    assert [(t.year, t.key_projects, t.signed_leads, t.updated_by_id) for t in rows] == [(2026, 2, None, manager.id)]


def test_demo_seed_loads_2121_for_this_year_and_last(db):
    manager = make_user("manager")
    lines = demo.seed(None, {"manager": manager, "all": [manager]}, [], today=date(2026, 5, 1))
    _db.session.commit()
    assert [line[:12] for line in lines] == ["Targets 2026", "Targets 2025"]
    this_year = targets.target_for(2026)
    assert (this_year.key_projects, this_year.key_talents, this_year.investment_wan,
            this_year.started_or_completed) == (200, 100, D("2000000.00"), 100)
    assert this_year.updated_by_id == manager.id
    assert demo.seed(None, [make_user("officer"), manager], [], today=date(2026, 5, 1)) == []   # kept
