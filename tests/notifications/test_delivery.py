"""Email and group-webhook delivery through the outbox, against real servers on loopback.

A new enquiry, an assignment and a collision reach people by email and the group chat when those are
configured; a dead server never fails the request, and what could not be sent stays pending for retry.
"""

import time

from sqlalchemy import func, select

from crm.auth.models import User
from crm.extensions import db as _db
from crm.leads import services
from crm.leads.models import Lead
from crm.notifications import delivery
from crm.notifications.models import Delivery, Notification
from tests.factories import make_lead, make_user
from tests.notifications.conftest import free_port
from tests.security.helpers import valid_enquiry


def _deliveries(**where) -> list[Delivery]:
    _db.session.rollback()
    query = select(Delivery).order_by(Delivery.id)
    for name, value in where.items():
        query = query.where(getattr(Delivery, name) == value)
    return list(_db.session.scalars(query))


def _wait():
    assert delivery.wait_for_background(15)


def _duty_officer():
    officer = make_user("officer", name="值班专员")
    officer.is_duty = True
    _db.session.commit()
    return officer


# --- a new enquiry ----------------------------------------------------------------------------------------

def test_a_new_enquiry_emails_managers_and_duty_officers_and_posts_to_the_group(
        client, db, channels, smtp_server, webhook_server):
    manager, duty = make_user("manager", name="招商局长"), _duty_officer()
    make_user("officer")  # neither a manager nor on duty
    make_user("manager", active=False)
    channels(smtp_port=smtp_server.port, webhook_url=webhook_server.url)

    response = client.post("/enquiry", data=valid_enquiry())
    assert response.status_code == 303
    _wait()

    lead = _db.session.scalar(select(Lead))
    assert sorted(m["to"][0] for m in smtp_server.messages) == sorted([manager.email, duty.email])
    message = smtp_server.messages[0]
    assert message["from"] == "parkleads@zone.example"
    assert "湖南星驰动力科技有限公司" in message["subject"] and lead.reference in message["subject"]
    assert f"/leads/{lead.id}" in message["body"] and "13807312345" not in message["body"]
    [posted] = webhook_server.received
    assert posted["content_type"].startswith("application/json")
    assert posted["json"]["msgtype"] == "text" and lead.reference in posted["json"]["text"]["content"]
    assert [d.status for d in _deliveries()] == ["sent"] * 3
    assert _db.session.scalar(select(func.count()).select_from(Notification)) == 2  # in-app too


def test_nothing_is_queued_when_neither_channel_is_configured(client, db):
    make_user("manager")
    assert client.post("/enquiry", data=valid_enquiry()).status_code == 303
    assert _deliveries() == []
    assert _db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_a_dead_mail_server_and_webhook_do_not_fail_the_enquiry(client, db, channels, smtp_server, webhook_server):
    make_user("manager")
    channels(smtp_port=free_port(), webhook_url=f"http://127.0.0.1:{free_port()}/hook")
    started = time.monotonic()
    response = client.post("/enquiry", data=valid_enquiry())
    assert response.status_code == 303 and time.monotonic() - started < 2
    _wait()
    pending = _deliveries()
    assert [(d.channel, d.status) for d in pending] == [("email", "pending"), ("webhook", "pending")]
    assert all(d.attempts >= 2 and d.last_error for d in pending)  # tried, and retried after a backoff
    assert _db.session.scalar(select(func.count()).select_from(Lead)) == 1

    # The servers come back: cron's `crm deliver-notifications` sends what was kept.
    channels(smtp_port=smtp_server.port, webhook_url=webhook_server.url)
    result = client.application.test_cli_runner().invoke(args=["crm", "deliver-notifications", "--now"])
    assert result.exit_code == 0 and "sent 2" in result.output, result.output
    assert [d.status for d in _deliveries()] == ["sent", "sent"]
    assert len(smtp_server.messages) == 1 and len(webhook_server.received) == 1


def test_a_webhook_that_answers_an_error_code_is_retried(client, db, channels, webhook_server):
    make_user("manager")
    webhook_server.answer = (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    channels(webhook_url=webhook_server.url)
    assert client.post("/enquiry", data=valid_enquiry()).status_code == 303
    _wait()
    [hook] = _deliveries()
    assert hook.status == "pending" and "93000" in hook.last_error
    webhook_server.answer = (200, {"errcode": 0, "errmsg": "ok"})
    delivery.retry_all_now()
    assert delivery.deliver_pending() == {"sent": 1, "retry": 0, "failed": 0}


def test_messages_are_given_up_after_the_last_attempt(db, channels, app):
    channels(smtp_port=free_port(), NOTIFY_MAX_ATTEMPTS=2, NOTIFY_ASYNC=False)
    manager = make_user("manager")
    make_lead(by=None)
    for _ in range(2):
        delivery.retry_all_now()
        delivery.deliver_pending()
    [email] = _deliveries()
    assert (email.status, email.attempts, email.recipient) == ("failed", 2, manager.email)


def test_a_rolled_back_change_sends_nothing(db, channels, smtp_server):
    channels(smtp_port=smtp_server.port)
    make_user("manager")
    make_lead(by=None, commit=False)
    _db.session.rollback()
    _wait()
    assert smtp_server.messages == [] and _deliveries() == []


def test_a_message_is_sent_once_however_many_senders_run(db, channels, smtp_server):
    channels(smtp_port=smtp_server.port, NOTIFY_ASYNC=False)
    make_user("manager")
    make_lead(by=None)
    assert delivery.deliver_pending() == {"sent": 1, "retry": 0, "failed": 0}
    delivery.retry_all_now()  # a sent message is not pending any more
    assert delivery.deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(smtp_server.messages) == 1


def test_emails_speak_the_readers_language(client, db, channels, smtp_server):
    manager = make_user("manager")
    manager.locale = "en"
    _db.session.commit()
    channels(smtp_port=smtp_server.port)
    client.post("/enquiry", data=valid_enquiry())
    _wait()
    [message] = smtp_server.messages
    assert message["subject"].startswith("New enquiry:") and "A new enquiry came in" in message["body"]


# --- assignments and collisions -------------------------------------------------------------------------

def test_an_assignment_emails_the_new_owner(db, channels, smtp_server):
    manager, officer = make_user("manager", name="局长"), make_user("officer", name="李专员")
    lead = make_lead(by=manager)
    channels(smtp_port=smtp_server.port)
    services.assign_lead(lead, officer, by=manager)
    _db.session.commit()
    _wait()
    [message] = smtp_server.messages
    assert message["to"] == [officer.email] and "局长" in message["body"] and lead.reference in message["subject"]


def test_a_collision_emails_both_owners_and_tells_the_group(db, channels, smtp_server, webhook_server):
    alice, bob = make_user("officer"), make_user("officer")
    old = make_lead(by=alice, company_name="湖南智点科技有限公司")
    channels(smtp_port=smtp_server.port, webhook_url=webhook_server.url)
    new = make_lead(by=bob, company_name="智点科技股份有限公司")
    _wait()
    assert sorted(m["to"][0] for m in smtp_server.messages) == sorted([alice.email, bob.email])
    assert all(old.reference in m["body"] and new.reference in m["body"] for m in smtp_server.messages)
    [posted] = webhook_server.received
    assert old.reference in posted["json"]["text"]["content"]


def test_a_confidential_lead_keeps_its_codename_in_the_group_chat(db, channels, webhook_server):
    if not hasattr(Lead, "is_confidential"):
        return
    channels(webhook_url=webhook_server.url, NOTIFY_ASYNC=False)
    lead = make_lead(by=None, commit=False)
    lead.is_confidential, lead.codename = True, "项目X"
    _db.session.commit()
    # The enquiry's message was composed when it was queued; a collision queued now uses the codename.
    from crm.notifications import messages

    assert "项目X" in messages.group_new_enquiry(lead) and lead.company_name not in messages.group_new_enquiry(lead)


def test_duty_officers_get_the_in_app_notice_too(db):
    duty = _duty_officer()
    make_lead(by=None)
    assert _db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == duty.id, Notification.kind == "new_enquiry")) == 1
    assert _db.session.get(User, duty.id).is_duty


def test_old_sent_messages_are_pruned_but_pending_ones_kept(db, channels, app):
    from datetime import timedelta

    from crm.core.database import utcnow

    channels(smtp_port=free_port(), NOTIFY_ASYNC=False)
    make_user("manager")
    make_lead(by=None)
    make_lead(by=None)
    old, pending = _deliveries()
    old.status, old.sent_at = "sent", utcnow() - timedelta(days=31)
    _db.session.commit()
    result = app.test_cli_runner().invoke(args=["crm", "deliver-notifications"])
    assert result.exit_code == 0 and "removed 1" in result.output, result.output
    assert [d.id for d in _deliveries()] == [pending.id]
