"""Every dashboard figure on the hand-computed zone of conftest.py, to the unit (read-only: built once)."""

from datetime import date
from decimal import Decimal

import pytest

from crm.dashboard import queries
from crm.dashboard.queries import Period
from tests.dashboard.conftest import TODAY

PERIOD = Period(date(2026, 1, 1), TODAY)


def test_funnel_counts_every_lead_that_reached_a_stage_or_beyond(shared_zone):
    # A signed; B contacted then lost; C site visit; D contacted; E, F (on hold), G (lost), K enquiry;
    # H jumped straight to negotiation, so it counts as having passed contacted and site visit.
    funnel = queries.funnel(PERIOD)
    assert funnel.stages == ("enquiry", "contacted", "site_visit", "negotiation", "signed")
    assert funnel.totals == [9, 5, 3, 2, 1]
    assert funnel.total_conversions == [0.5556, 0.6, 0.6667, 0.5]
    assert funnel.overall == 0.1111


def test_funnel_cohorts_by_month_of_enquiry_on_the_zone_calendar(shared_zone):
    # K was created at 17:00 UTC on 28 February: 01:00 on 1 March in the zone, so it is a March lead.
    funnel = queries.funnel(PERIOD)
    assert funnel.cohorts == [
        ("2026-01", [3, 3, 2, 1, 1]),   # A, B, C
        ("2026-02", [3, 1, 0, 0, 0]),   # D, E, F
        ("2026-03", [3, 1, 1, 1, 0]),   # G, H, K
    ]
    assert queries.Funnel.conversions([3, 3, 2, 1, 1]) == [1.0, 0.6667, 0.5, 1.0]
    assert queries.Funnel.conversions([3, 1, 0, 0, 0]) == [0.3333, 0.0, None, None]


def test_funnel_of_a_period_without_leads_is_zero(shared_zone):
    funnel = queries.funnel(Period(date(2024, 1, 1), date(2024, 12, 31)))
    assert funnel.totals == [0, 0, 0, 0, 0]
    assert funnel.cohorts == []
    assert funnel.overall is None


def test_median_days_in_each_stage_over_stays_ended_in_the_period(shared_zone):
    durations = {t.stage: (t.median_days, t.stays) for t in queries.stage_durations(PERIOD)}
    # enquiry stays: A 5, B 3, C 7, D 1, F 5, G 3, H 5 -> 1 3 3 [5] 5 5 7 (Z's and L's ended in 2025)
    assert durations["enquiry"] == (5.0, 7)
    # contacted: A 10, B 20, C 10, Z 65 (11 Nov -> 15 Jan, ended in the period) -> (10 + 20) / 2
    assert durations["contacted"] == (15.0, 4)
    assert durations["site_visit"] == (20.0, 1)     # A; C and Z are still there
    assert durations["negotiation"] == (20.0, 1)    # A; H is still there
    assert durations["on_hold"] == (49.0, 1)        # L: 2 Dec -> 20 Jan (F is still on hold)


def test_median_of_a_shorter_period_keeps_only_stays_ended_in_it(shared_zone):
    durations = {t.stage: (t.median_days, t.stays) for t in queries.stage_durations(
        Period(date(2026, 3, 1), TODAY))}
    assert durations["enquiry"] == (4.0, 2)         # G 3, H 5
    assert durations["negotiation"] == (20.0, 1)    # A signed on 1 March
    assert durations["contacted"] == (None, 0)


@pytest.mark.parametrize(("stale_days", "expected"), [
    (14, 3),   # C (6 Feb), E (created 14 Feb, never touched), Z (15 Jan)
    (13, 4),   # + K: created 1 March in the zone, 13 days ago
    (5, 5),    # + H (8 March, 6 days)
    (4, 6),    # + D (10 March, exactly 4 days)
    (3, 6),    # M (12 March) is 2 days old; leads that are signed, lost or on hold never count
])
def test_stale_leads_are_open_and_untouched_for_n_days(shared_zone, stale_days, expected):
    assert queries.stale_leads(TODAY, stale_days).count == expected


def test_stale_list_puts_the_longest_idle_first(shared_zone):
    stale = queries.stale_leads(TODAY, 14)
    leads = shared_zone["leads"]
    assert [lead.id for lead in stale.leads] == [leads["Z"].id, leads["C"].id, leads["E"].id]


def test_officers_table(shared_zone):
    rows = queries.officers(PERIOD, TODAY, 14)
    table = [(row.user.name if row.user else None, row.open_leads, row.activities_7d, row.overdue, row.stale,
              row.signed) for row in rows]
    assert table == [
        # open: C D M; activities 8-14 March: D, M; overdue: C; stale: C; signed: A
        ("Alice Officer", 3, 2, 1, 1, 1),
        # open: H K Z; activities: H (8 Mar) and B at 04:00 on 8 March in the zone (not 23:00 on the 7th)
        ("Bob Officer", 3, 2, 1, 1, 0),
        # nobody's: E open and stale; F on hold and overdue
        (None, 1, 0, 1, 1, 0),
    ]


def test_leads_by_source(shared_zone):
    rows = [(b.code, b.leads, b.signed, b.investment_wan) for b in queries.by_source(PERIOD)]
    assert rows == [
        ("web_form", 5, 1, Decimal("14000.00")),   # A C E G K
        ("hotline", 2, 0, Decimal("3000.00")),     # B F
        ("expo", 1, 0, Decimal("2000.00")),        # D
        ("referral", 1, 0, Decimal("8000.00")),    # H
    ]


def test_leads_by_industry_chain(shared_zone):
    rows = [(b.code, b.label_en, b.leads, b.signed, b.investment_wan) for b in queries.by_industry(PERIOD)]
    assert rows == [
        (None, None, 4, 0, Decimal("3000.00")),                        # B F G K
        ("nev", "New-energy vehicles", 3, 1, Decimal("22000.00")),    # A C H
        ("ngit", "Next-generation IT", 2, 0, Decimal("2000.00")),     # D E
    ]


def test_lost_reasons_group_reasons_typed_alike(shared_zone):
    rows = [(r.reason, r.leads) for r in queries.lost_reasons(PERIOD)]
    assert rows == [("Chose another zone", 2), ("Land price too high", 1)]


def test_weighted_pipeline_by_expected_signing_month(shared_zone):
    rows = [(m.month, m.leads, m.investment_wan, m.weighted_wan) for m in queries.weighted_by_month(TODAY)]
    assert rows == [
        # C (due 10 March, overdue: this month) 4000 × 0.35; F (on hold, due 1 March) 3000 × 0.05; K nothing
        ("2026-03", 3, Decimal("7000.00"), Decimal("1550.00")),
        ("2026-04", 1, Decimal("2000.00"), Decimal("300.00")),    # D 2000 × 0.15
        ("2026-06", 1, Decimal("8000.00"), Decimal("4800.00")),   # H 8000 × 0.6
        ("2027-02", 1, Decimal("1000.00"), Decimal("150.00")),    # M 1000 × 0.15
        (None, 2, Decimal("6000.00"), Decimal("2100.00")),        # E nothing; Z 6000 × 0.35
    ]
    assert queries.weighted_total() == (8, Decimal("8900.00"))


def test_dashboard_object_gathers_the_same_figures(shared_zone):
    data = queries.Dashboard(PERIOD, TODAY, 14)
    assert data.funnel.totals == [9, 5, 3, 2, 1]
    assert data.stale.count == 3
    assert data.pipeline_total == (8, Decimal("8900.00"))
