"""The pipeline board: columns and totals, filters, load more, and moves through the stage gates."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from crm.board import queries
from crm.board.queries import BoardFilters
from crm.core.database import utcnow
from crm.extensions import db as _db
from crm.leads import services
from crm.leads.models import Activity, Lead
from tests.factories import make_industry, make_lead, make_user

HX = {"HX-Request": "true"}
TODAY = date(2026, 3, 14)


def _stage_of(lead_id):
    _db.session.expire_all()
    return _db.session.get(Lead, lead_id).stage


def _card_stage(html, lead_id):
    match = re.search(rf'id="card-{lead_id}" data-stage="(\w+)"', html)
    return match.group(1) if match else None


# ------------------------------------------------------------------ reads

def test_column_totals_are_counts_sums_and_weighted_values(db):
    manager = make_user("manager")
    make_lead(stage="contacted", planned_investment_wan=Decimal("1000"))
    make_lead(stage="contacted", planned_investment_wan=Decimal("3000"))
    make_lead(stage="contacted")                                              # no figure: counts, adds 0
    make_lead(stage="site_visit", planned_investment_wan=Decimal("2000"))
    make_lead(stage="negotiation", planned_investment_wan=Decimal("1234.5"))
    old = make_lead(stage="signed", planned_investment_wan=Decimal("9000"))
    old.stage_entered_at = utcnow() - timedelta(days=400)                     # off the board
    recent = make_lead(stage="signed", planned_investment_wan=Decimal("500"))
    recent.stage_entered_at = utcnow() - timedelta(days=3)
    _db.session.commit()
    totals = queries.column_totals(BoardFilters(), manager, date.today())
    got = {s: (t.count, t.investment_wan, t.weighted_wan) for s, t in totals.items()}
    assert got == {
        "enquiry": (0, Decimal("0.00"), Decimal("0.00")),
        "contacted": (3, Decimal("4000.00"), Decimal("600.00")),              # × 0.15
        "site_visit": (1, Decimal("2000.00"), Decimal("700.00")),             # × 0.35
        "negotiation": (1, Decimal("1234.50"), Decimal("740.70")),            # × 0.6
        "signed": (1, Decimal("500.00"), Decimal("500.00")),
        "on_hold": (0, Decimal("0.00"), Decimal("0.00")),
        "lost": (0, Decimal("0.00"), Decimal("0.00")),
    }


def test_cards_by_priority_then_latest_activity_then_newest(db):
    manager = make_user("manager")
    now = utcnow()
    a = make_lead(stage="contacted", priority=2)
    b = make_lead(stage="contacted", priority=1)
    c = make_lead(stage="contacted", priority=2)
    d = make_lead(stage="contacted", priority=2)
    e = make_lead(stage="contacted", priority=3)
    a.last_activity_at = now - timedelta(days=5)
    c.last_activity_at = now - timedelta(days=1)
    d.created_at = now - timedelta(days=10)                                   # never touched, older
    _db.session.commit()
    cards, more = queries.column_cards("contacted", BoardFilters(), manager, date.today())
    assert [lead.id for lead in cards] == [b.id, c.id, a.id, d.id, e.id] and not more
    page, more = queries.column_cards("contacted", BoardFilters(), manager, date.today(), offset=1, limit=2)
    assert [lead.id for lead in page] == [c.id, a.id] and more


def test_filters(db):
    manager, officer = make_user("manager"), make_user("officer")
    make_industry("nev")
    mine = make_lead(stage="enquiry", owner=officer, kind="land", source="expo", industry_code="nev")
    key = make_lead(stage="enquiry", is_key=True, kind="land")
    other = make_lead(stage="enquiry", owner=manager, source="expo")

    def ids(**kwargs):
        return {lead.id for lead in queries.column_cards("enquiry", BoardFilters(**kwargs), officer, TODAY)[0]}

    assert ids() == {mine.id, key.id, other.id}
    assert ids(owner="me") == {mine.id}
    assert ids(owner="none") == {key.id}
    assert ids(owner=str(manager.id)) == {other.id}
    assert ids(industry="nev") == {mine.id}
    assert ids(kind="land") == {mine.id, key.id}
    assert ids(source="expo") == {mine.id, other.id}
    assert ids(key=True) == {key.id}


def test_officer_sees_own_leads_first_and_can_choose_everyone(client, login):
    officer = make_user("officer")
    mine = make_lead(stage="contacted", owner=officer)
    other = make_lead(stage="contacted", owner=make_user("officer"))
    login(officer)
    page = client.get("/pipeline").get_data(as_text=True)
    assert f'id="card-{mine.id}"' in page and f'id="card-{other.id}"' not in page
    page = client.get("/pipeline?owner=all").get_data(as_text=True)
    assert f'id="card-{mine.id}"' in page and f'id="card-{other.id}"' in page


def test_board_page_shows_columns_cards_and_stage_menus(client, login):
    manager = make_user("manager")
    lead = make_lead(stage="contacted", owner=make_user(), planned_investment_wan=Decimal("1000"),
                     next_action="回访", next_action_due=date(2020, 1, 1))
    signed = make_lead(stage="signed")
    login(manager)
    response = client.get("/pipeline?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for stage in ("enquiry", "contacted", "site_visit", "negotiation", "signed", "on_hold", "lost"):
        assert f'id="col-head-{stage}"' in page and f'data-stage="{stage}"' in page
    assert _card_stage(page, lead.id) == "contacted"
    assert 'data-count="1"' in page
    assert "card-next overdue" in page                                       # due in 2020: overdue, in red
    assert f'id="stage-{lead.id}"' in page                                    # keyboard stage menu
    assert f'id="stage-{signed.id}"' not in page                              # signed: no menu, locked
    assert "Sortable.min.js" in page and "js/board.js" in page


def test_load_more(client, login, monkeypatch):
    monkeypatch.setattr(queries, "CARDS_PER_COLUMN", 2)
    manager = make_user("manager")
    leads = [make_lead(stage="enquiry") for _ in range(3)]
    login(manager)
    page = client.get("/pipeline").get_data(as_text=True)
    assert page.count('class="board-card') == 2
    assert "/pipeline/column/enquiry?offset=2" in page
    more = client.get("/pipeline/column/enquiry?offset=2&owner=all", headers=HX).get_data(as_text=True)
    assert more.count('class="board-card') == 1 and f'id="card-{leads[0].id}"' in more
    assert "board-more" not in more
    assert client.get("/pipeline/column/bogus").status_code == 404


def test_board_needs_login(client):
    assert client.get("/pipeline").status_code == 302


# ------------------------------------------------------------------ moves

def test_move_that_passes_its_gate(client, login):
    manager = make_user("manager")
    lead = make_lead(stage="enquiry", owner=make_user(), planned_investment_wan=Decimal("1000"))
    login(manager)
    response = client.post(f"/pipeline/{lead.id}/move?owner=all", data={"stage": "contacted"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _card_stage(html, lead.id) == "contacted"
    assert 'id="col-head-contacted" hx-swap-oob="true"' in html
    assert 'data-weighted="150.00"' in html
    assert "board:status" in response.headers["HX-Trigger"]
    assert _stage_of(lead.id) == "contacted"


def test_site_visit_gate_asks_for_a_visit_then_logs_it_and_moves(client, login):
    officer = make_user("officer")
    lead = make_lead(stage="contacted", owner=officer)
    login(officer)
    response = client.post(f"/pipeline/{lead.id}/move", data={"stage": "site_visit"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="board-card gate"' in html and 'data-stage="site_visit"' in html
    assert 'name="visit_on"' in html and 'name="visit_outcome"' in html
    assert 'name="planned_investment_wan"' not in html
    assert _stage_of(lead.id) == "contacted"

    response = client.post(f"/pipeline/{lead.id}/move", headers=HX, data={
        "stage": "site_visit", "gate": "1", "visit_on": "2026-03-10", "visit_outcome": "看了B3厂房"})
    assert response.status_code == 200
    assert _card_stage(response.get_data(as_text=True), lead.id) == "site_visit"
    assert _stage_of(lead.id) == "site_visit"
    visit = _db.session.scalar(_db.select(Activity).where(Activity.lead_id == lead.id))
    assert (visit.kind, visit.outcome, visit.user_id) == ("visit", "看了B3厂房", officer.id)


def test_gate_form_with_missing_answers_changes_nothing(client, login):
    officer = make_user("officer")
    lead = make_lead(stage="contacted", owner=officer)
    login(officer)
    future = (date.today() + timedelta(days=3)).isoformat()
    response = client.post(f"/pipeline/{lead.id}/move", headers=HX, data={
        "stage": "site_visit", "gate": "1", "visit_on": future, "visit_outcome": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count("invalid-feedback") == 2
    assert _stage_of(lead.id) == "contacted"
    assert _db.session.scalar(_db.select(_db.func.count()).select_from(Activity)) == 0


def test_signing_gate_asks_for_exactly_the_missing_figures(client, login):
    officer = make_user("officer")
    lead = make_lead(stage="negotiation", owner=officer, kind="factory_rental",
                     planned_investment_wan=Decimal("800"))
    services.log_activity(lead, kind="visit", outcome="ok", by=officer)
    _db.session.commit()
    login(officer)
    html = client.post(f"/pipeline/{lead.id}/move", data={"stage": "signed"}, headers=HX).get_data(as_text=True)
    assert 'name="floor_area_m2"' in html and 'name="expected_tax_wan"' in html
    assert 'name="planned_investment_wan"' not in html and 'name="land_mu"' not in html
    response = client.post(f"/pipeline/{lead.id}/move", headers=HX, data={
        "stage": "signed", "gate": "1", "floor_area_m2": "5,000", "expected_tax_wan": "120.5"})
    assert response.status_code == 200
    _db.session.expire_all()
    lead = _db.session.get(Lead, lead.id)
    assert (lead.stage, lead.floor_area_m2, lead.expected_tax_wan) == ("signed", Decimal("5000"), Decimal("120.5"))


def test_losing_a_lead_asks_for_the_reason(client, login):
    officer = make_user("officer")
    lead = make_lead(stage="contacted", owner=officer)
    login(officer)
    html = client.post(f"/pipeline/{lead.id}/move", data={"stage": "lost"}, headers=HX).get_data(as_text=True)
    assert 'name="lost_reason"' in html
    client.post(f"/pipeline/{lead.id}/move", headers=HX,
                data={"stage": "lost", "gate": "1", "lost_reason": "选择了其他园区"})
    _db.session.expire_all()
    lead = _db.session.get(Lead, lead.id)
    assert (lead.stage, lead.lost_reason) == ("lost", "选择了其他园区")


def test_owner_gate_manager_assigns_and_officer_takes(client, login):
    manager, officer = make_user("manager"), make_user("officer")
    first, second = make_lead(stage="enquiry"), make_lead(stage="enquiry")
    login(manager)
    html = client.post(f"/pipeline/{first.id}/move", data={"stage": "contacted"}, headers=HX).get_data(as_text=True)
    assert 'name="owner_id"' in html and 'name="take"' not in html
    client.post(f"/pipeline/{first.id}/move", headers=HX,
                data={"stage": "contacted", "gate": "1", "owner_id": str(officer.id)})
    _db.session.expire_all()
    assert (_db.session.get(Lead, first.id).stage, _db.session.get(Lead, first.id).owner_id) == (
        "contacted", officer.id)

    client.post("/logout")
    login(officer)
    html = client.post(f"/pipeline/{second.id}/move", data={"stage": "contacted"}, headers=HX).get_data(as_text=True)
    assert 'name="take"' in html and 'name="owner_id"' not in html
    client.post(f"/pipeline/{second.id}/move", headers=HX, data={"stage": "contacted", "gate": "1", "take": "y"})
    _db.session.expire_all()
    assert (_db.session.get(Lead, second.id).stage, _db.session.get(Lead, second.id).owner_id) == (
        "contacted", officer.id)


def test_officer_cannot_move_someone_elses_lead(client, login):
    officer = make_user("officer")
    lead = make_lead(stage="contacted", owner=make_user("officer"))
    login(officer)
    response = client.post(f"/pipeline/{lead.id}/move?owner=all", data={"stage": "negotiation"}, headers=HX)
    assert response.status_code == 403
    assert _card_stage(response.get_data(as_text=True), lead.id) == "contacted"   # the card goes back
    assert 'role="alert"' in response.get_data(as_text=True)
    assert _stage_of(lead.id) == "contacted"
    assert client.post(f"/pipeline/{lead.id}/move", data={"stage": "negotiation"}).status_code == 403


def test_refused_move_returns_the_card_with_the_reason(client, login):
    manager = make_user("manager")
    lead = make_lead(stage="signed")
    login(manager)
    response = client.post(f"/pipeline/{lead.id}/move?lang=en", data={"stage": "lost"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _card_stage(html, lead.id) == "signed"
    assert "its stage can no longer change" in html
    assert _stage_of(lead.id) == "signed"


@pytest.mark.parametrize("stage", ["", "won", "<script>"])
def test_unknown_stage_is_a_400(client, login, stage):
    login(make_user("manager"))
    lead = make_lead(stage="enquiry")
    response = client.post(f"/pipeline/{lead.id}/move", data={"stage": stage}, headers=HX)
    assert response.status_code == 400
    assert _stage_of(lead.id) == "enquiry"


def test_move_needs_the_csrf_token(client, login):
    login(make_user("manager"))
    lead = make_lead(stage="enquiry", owner=make_user())
    response = client.post(f"/pipeline/{lead.id}/move", data={"stage": "contacted"}, headers=HX, csrf=False)
    assert response.status_code == 400
    assert _stage_of(lead.id) == "enquiry"


def test_move_with_the_csrf_header_as_htmx_sends_it(client, login):
    login(make_user("manager"))
    lead = make_lead(stage="enquiry", owner=make_user())
    token = client.csrf_token()
    response = client.post(f"/pipeline/{lead.id}/move", data={"stage": "contacted"}, csrf=False,
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    assert _stage_of(lead.id) == "contacted"


def test_without_javascript_the_stage_menu_posts_and_redirects(client, login):
    officer = make_user("officer")
    lead = make_lead(stage="enquiry", owner=officer)
    other = make_lead(stage="contacted", owner=officer)
    login(officer)
    response = client.post(f"/pipeline/{lead.id}/move?owner=me", data={"stage": "contacted"})
    assert response.status_code == 302 and "/pipeline?owner=me" in response.headers["Location"]
    assert _stage_of(lead.id) == "contacted"
    page = client.post(f"/pipeline/{other.id}/move", data={"stage": "site_visit"})
    assert page.status_code == 200 and 'name="visit_outcome"' in page.get_data(as_text=True)
    assert "<html" in page.get_data(as_text=True)                              # a whole page, not a fragment


def test_cancelled_gate_gets_the_card_back(client, login):
    officer = make_user("officer")
    lead = make_lead(stage="contacted", owner=officer)
    login(officer)
    response = client.get(f"/pipeline/{lead.id}/card", headers=HX)
    assert _card_stage(response.get_data(as_text=True), lead.id) == "contacted"
