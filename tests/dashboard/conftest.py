"""A small zone with a hand-computed history, for exact dashboard and target figures.

All times are naive UTC as stored; the zone's calendar is UTC+8 (Asia/Shanghai). Most events happen at
04:00 UTC (noon in the zone) so day counts are whole; a few sit near midnight to test the calendar.

"Today" is 2026-03-14 (day 73 of 365, so exactly 20% of the year has gone by); the period is
2026-01-01 .. 2026-03-14.

lead  created (UTC)      history (stage, at)                               now          owner  notes
A     2026-01-05         contacted 01-10, site_visit 01-20,                 signed       alice  key, 10000, web_form, nev
                         negotiation 02-09, signed 03-01
B     2026-01-10         contacted 01-13, lost 02-02                        lost         bob    hotline, "Chose another zone"
C     2026-01-20         contacted 01-27, site_visit 02-06                  site_visit   alice  4000, web_form, nev, due 03-10,
                                                                                                last activity 02-06 (stale)
D     2026-02-03         contacted 02-04                                    contacted    alice  2000, expo, ngit, due 04-15,
                                                                                                activity 03-10 by alice
E     2026-02-14         —                                                  enquiry      —      web_form, ngit (stale, never touched)
F     2026-02-20         on_hold 02-25                                      on_hold      —      3000, hotline, due 03-01 (overdue)
G     2026-03-02         lost 03-05                                         lost         —      web_form, "Chose another zone " (space)
H     2026-03-03         negotiation 03-08                                  negotiation  bob    key, 8000, referral, nev, due 06-20,
                                                                                                activity 03-08 04:00 by bob
K     2026-02-28 17:00   —  (01:00 on 1 March in the zone)                  enquiry      bob    web_form, due 03-13 (overdue)
Z     2025-11-01         contacted 2025-11-11, site_visit 2026-01-15        site_visit   bob    6000, activity 01-15 (stale)
L     2025-12-01         on_hold 2025-12-02, lost 2026-01-20                lost         —      "Land price too high"
M     2025-06-01         contacted 2025-06-10                               contacted    alice  1000, due 2027-02-01, activity 03-12
Y     2025-03-01         signed 2025-06-01                                  signed       alice  5000, key
Also: bob logged two activities on B: 2026-03-07 20:00 UTC (04:00 on 8 March, inside the 7 days) and
2026-03-07 15:00 UTC (23:00 on 7 March, outside).
"""

from datetime import date, datetime
from decimal import Decimal

import pytest

from crm.dashboard import targets
from crm.extensions import db as _db
from crm.leads.models import Activity, LeadEvent
from tests.factories import make_industry, make_lead, make_user

TODAY = date(2026, 3, 14)
REAL_PROJECT_ACTUALS = targets.project_actuals


@pytest.fixture(autouse=True)
def leads_only(monkeypatch):
    """Figures from leads alone, whether or not the project register is installed (one test puts it back)."""
    monkeypatch.setattr(targets, "project_actuals", lambda year: {})


def at(y, m, d, hour=4, minute=0):
    return datetime(y, m, d, hour, minute)


def build_lead(created, history=(), owner=None, activities=(), **fields):
    """A lead whose creation, stage events and activities happened at the given (UTC) times."""
    lead = make_lead(**fields)
    for event in list(lead.events):
        _db.session.delete(event)
    _db.session.flush()
    lead.created_at = lead.updated_at = created
    lead.owner_id = owner.id if owner else None
    events = [LeadEvent(lead_id=lead.id, kind="created", field="stage", new_value="enquiry", at=created)]
    stage, entered = "enquiry", created
    for new_stage, when in history:
        events.append(LeadEvent(lead_id=lead.id, kind="stage", field="stage", old_value=stage,
                                new_value=new_stage, at=when))
        stage, entered = new_stage, when
    _db.session.add_all(events)
    lead.stage, lead.stage_entered_at = stage, entered
    last = None
    for user, when in activities:
        _db.session.add(Activity(lead_id=lead.id, user_id=user.id, kind="call", occurred_at=when, outcome="ok"))
        last = max(last, when) if last else when
    lead.last_activity_at = last
    _db.session.commit()
    return lead


@pytest.fixture
def zone(db):
    """The data set above; returns its people and leads by letter."""
    return build_zone()


@pytest.fixture(scope="module")
def shared_zone(app):
    """The same data set, built once for a module whose tests only read it."""
    from tests.conftest import _empty_all_tables

    with app.app_context():
        yield build_zone()
        _db.session.rollback()
        _db.session.remove()
        _empty_all_tables()


def build_zone():
    alice = make_user("officer", name="Alice Officer")
    bob = make_user("officer", name="Bob Officer")
    manager = make_user("manager", name="Manny Manager")
    nev = make_industry("nev", "新能源汽车", "New-energy vehicles")
    ngit = make_industry("ngit", "新一代信息技术", "Next-generation IT")
    leads = {}
    leads["A"] = build_lead(at(2026, 1, 5), [("contacted", at(2026, 1, 10)), ("site_visit", at(2026, 1, 20)),
                                             ("negotiation", at(2026, 2, 9)), ("signed", at(2026, 3, 1))],
                            owner=alice, is_key=True, planned_investment_wan=Decimal("10000"), source="web_form",
                            industry_code=nev.code)
    leads["B"] = build_lead(at(2026, 1, 10), [("contacted", at(2026, 1, 13)), ("lost", at(2026, 2, 2))],
                            owner=bob, source="hotline",
                            activities=[(bob, at(2026, 3, 7, 20)), (bob, at(2026, 3, 7, 15))])
    leads["B"].lost_reason = "Chose another zone"
    leads["C"] = build_lead(at(2026, 1, 20), [("contacted", at(2026, 1, 27)), ("site_visit", at(2026, 2, 6))],
                            owner=alice, planned_investment_wan=Decimal("4000"), source="web_form",
                            industry_code=nev.code, next_action_due=date(2026, 3, 10),
                            activities=[(alice, at(2026, 2, 6))])
    leads["D"] = build_lead(at(2026, 2, 3), [("contacted", at(2026, 2, 4))], owner=alice,
                            planned_investment_wan=Decimal("2000"), source="expo", industry_code=ngit.code,
                            next_action_due=date(2026, 4, 15), activities=[(alice, at(2026, 3, 10))])
    leads["E"] = build_lead(at(2026, 2, 14), source="web_form", industry_code=ngit.code)
    leads["F"] = build_lead(at(2026, 2, 20), [("on_hold", at(2026, 2, 25))], planned_investment_wan=Decimal("3000"),
                            source="hotline", next_action_due=date(2026, 3, 1))
    leads["G"] = build_lead(at(2026, 3, 2), [("lost", at(2026, 3, 5))], source="web_form")
    leads["G"].lost_reason = "Chose another zone "
    leads["H"] = build_lead(at(2026, 3, 3), [("negotiation", at(2026, 3, 8))], owner=bob, is_key=True,
                            planned_investment_wan=Decimal("8000"), source="referral", industry_code=nev.code,
                            next_action_due=date(2026, 6, 20), activities=[(bob, at(2026, 3, 8))])
    leads["K"] = build_lead(at(2026, 2, 28, 17), owner=bob, source="web_form", next_action_due=date(2026, 3, 13))
    leads["Z"] = build_lead(at(2025, 11, 1), [("contacted", at(2025, 11, 11)), ("site_visit", at(2026, 1, 15))],
                            owner=bob, planned_investment_wan=Decimal("6000"), activities=[(bob, at(2026, 1, 15))])
    leads["L"] = build_lead(at(2025, 12, 1), [("on_hold", at(2025, 12, 2)), ("lost", at(2026, 1, 20))])
    leads["L"].lost_reason = "Land price too high"
    leads["M"] = build_lead(at(2025, 6, 1), [("contacted", at(2025, 6, 10))], owner=alice,
                            planned_investment_wan=Decimal("1000"), next_action_due=date(2027, 2, 1),
                            activities=[(alice, at(2026, 3, 12))])
    leads["Y"] = build_lead(at(2025, 3, 1), [("signed", at(2025, 6, 1))], owner=alice, is_key=True,
                            planned_investment_wan=Decimal("5000"))
    _db.session.commit()
    return {"alice": alice, "bob": bob, "manager": manager, "leads": leads}
