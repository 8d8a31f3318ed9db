from crm.extensions import db as _db
from crm.leads import services
from crm.notifications.models import Notification
from tests.factories import make_lead, make_user


def unread(user) -> int:
    return _db.session.scalar(_db.select(_db.func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def test_collision_notice_reaches_both_owners_and_can_be_read(client, login):
    alice, bob = make_user(), make_user()
    old = make_lead(by=alice, company_name="湖南智点科技有限公司")
    make_lead(by=bob, company_name="智点科技股份有限公司")
    login(alice)
    html = client.get("/notifications").get_data(as_text=True)
    assert "notice-collision" in html and old.company_name in html
    assert 'id="unread-count">1<' in html
    assert client.post("/notifications/read").status_code == 302
    assert unread(alice) == 0 and unread(bob) == 1


def test_new_enquiry_tells_managers(db):
    manager = make_user("manager")
    make_user("manager", active=False)
    make_lead(by=None, source="web_form")
    assert unread(manager) == 1


def test_assignment_tells_the_new_owner(db):
    manager, officer = make_user("manager"), make_user()
    lead = make_lead(by=manager)
    services.assign_lead(lead, officer, by=manager)
    _db.session.commit()
    assert unread(officer) == 1


def test_notices_need_sign_in(client):
    assert client.get("/notifications").status_code == 302
