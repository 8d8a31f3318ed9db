"""What one public enquiry costs the database: a fixed handful of statements, whoever has to hear of it.

POST /enquiry is the write every investor makes, measured against its floor by `make bench` (issue 8): its
reads come first and its writes go back to back, so SQLite's write lock is held briefly.
"""

import re

import pytest
from sqlalchemy import func, select

from crm.extensions import db as _db
from crm.leads.models import Lead, LeadEvent
from crm.notifications.models import Notification
from tests.factories import make_industry, make_lead, make_user
from tests.public.public_helpers import valid_enquiry


def _inserted_tables(log) -> list[str]:
    return [match.group(1) for match in (re.match(r'\s*INSERT INTO "?(\w+)', s) for s in log.statements) if match]


@pytest.fixture
def recipients(db):
    """Three managers and a duty officer: each hears of a new enquiry; an inactive manager does not."""
    people = [make_user("manager") for _ in range(3)]
    duty = make_user("officer")
    duty.is_duty = True
    make_user("manager", active=False)
    _db.session.commit()
    return [*people, duty]


def test_a_new_enquiry_sends_five_statements_however_many_people_hear_of_it(client, recipients, statements):
    with statements() as log:
        response = client.post("/enquiry", data=valid_enquiry())
    assert response.status_code == 303
    # The industries of the form (uncached in tests), the collision check, then three INSERTs: the lead (its
    # search index row comes from a trigger or an index, not a statement), its audit row, and every notice.
    assert log.count <= 5, log
    assert _inserted_tables(log) == ["lead", "lead_event", "notification"], log

    _db.session.rollback()
    lead = _db.session.scalar(select(Lead))
    notified = set(_db.session.scalars(select(Notification.user_id).where(Notification.lead_id == lead.id)))
    assert notified == {user.id for user in recipients}
    assert _db.session.scalar(select(func.count()).select_from(LeadEvent).where(LeadEvent.lead_id == lead.id)) == 1


def test_an_enquiry_that_collides_is_linked_in_the_same_request(client, recipients, statements):
    owner = make_user("officer")
    earlier = make_lead(owner=owner, mobile="+8613807312345")
    with statements() as log:
        response = client.post("/enquiry", data=valid_enquiry(mobile="138 0731 2345"))
    assert response.status_code == 303
    assert log.count <= 9, log  # + the earlier lead, the owner's notice, the audit row on both leads
    _db.session.rollback()
    lead = _db.session.scalar(select(Lead).where(Lead.id != earlier.id))
    assert (lead.collides_with_id, lead.collision_reason) == (earlier.id, "mobile")
    assert _db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == owner.id, Notification.kind == "collision")) == 1


def test_the_form_keeps_the_industries_and_sees_a_new_one_at_once(app, client, statements):
    make_industry()
    app.config["INDUSTRY_CACHE_SECONDS"] = 300
    try:
        client.get("/enquiry")
        with statements() as log:
            html = client.get("/enquiry").get_data(as_text=True)
        assert not any("FROM industry" in s for s in log.statements), log
        assert "新能源汽车" in html and "生物医药" not in html

        make_industry("biomed", "生物医药", "Biomedicine")  # written by this worker: the list is dropped
        assert "生物医药" in client.get("/enquiry").get_data(as_text=True)
    finally:
        app.config.pop("INDUSTRY_CACHE_SECONDS")
