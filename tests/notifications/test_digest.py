"""`crm send-digest`: each officer's overdue follow-ups by email, a count per officer for managers, once a day."""

from datetime import date, timedelta

from crm.extensions import db as _db
from crm.notifications import digest
from tests.factories import make_lead, make_user

TODAY = date(2026, 6, 15)


def _lead(owner, due, stage="contacted", action="回访"):
    return make_lead(by=owner, owner=owner, stage=stage, next_action=action, next_action_due=due)


def _send(app, day=TODAY):
    return app.test_cli_runner().invoke(args=["crm", "send-digest", "--date", day.isoformat()])


def test_the_digest_lists_each_officers_overdue_follow_ups(app, db, channels, smtp_server):
    li, zhang = make_user("officer", name="李专员"), make_user("officer", name="张专员")
    boss = make_user("manager", name="王局长")
    late = _lead(li, TODAY - timedelta(days=5), action="寄送园区政策汇编")
    later = _lead(li, TODAY - timedelta(days=1), stage="on_hold", action="等企业董事会决议")
    not_yet = _lead(li, TODAY, action="今天的事")
    lost = _lead(li, TODAY - timedelta(days=9), stage="lost")
    signed = _lead(li, TODAY - timedelta(days=9), stage="signed")
    theirs = _lead(zhang, TODAY - timedelta(days=2), action="陪同看地")
    channels(smtp_port=smtp_server.port, BASE_URL="https://crm.zone.example")

    result = _send(app)
    assert result.exit_code == 0, result.output
    assert "2 officer(s) with 3 overdue" in result.output and "3 sent" in result.output

    mail = {m["to"][0]: m for m in smtp_server.messages}
    assert set(mail) == {li.email, zhang.email, boss.email}
    mine = mail[li.email]
    assert mine["subject"].startswith("2 ")
    body = mine["body"]
    assert body.index(late.reference) < body.index(later.reference)  # longest overdue first
    assert "寄送园区政策汇编" in body and "2026-06-10" in body and "5" in body
    assert f"https://crm.zone.example/leads/{late.id}" in body
    for other in (not_yet, lost, signed, theirs):
        assert other.reference not in body
    assert theirs.reference in mail[zhang.email]["body"]
    team = mail[boss.email]["body"]
    assert "李专员: 2" in team and "张专员: 1" in team


def test_the_digest_goes_out_once_a_day(app, db, channels, smtp_server):
    li = make_user("officer")
    _lead(li, TODAY - timedelta(days=3))
    channels(smtp_port=smtp_server.port)
    assert _send(app).exit_code == 0
    assert _send(app).exit_code == 0  # cron ran twice
    assert len(smtp_server.messages) == 1
    assert _send(app, TODAY + timedelta(days=1)).exit_code == 0
    assert len(smtp_server.messages) == 2


def test_nobody_overdue_means_no_email(app, db, channels, smtp_server):
    make_user("manager")
    _lead(make_user("officer"), TODAY + timedelta(days=3))
    channels(smtp_port=smtp_server.port)
    result = _send(app)
    assert result.exit_code == 0 and "0 officer(s)" in result.output
    assert smtp_server.messages == []


def test_without_smtp_the_command_says_so(app, db):
    _lead(make_user("officer"), TODAY - timedelta(days=3))
    result = _send(app)
    assert result.exit_code == 0 and "CRM_SMTP_HOST" in result.output and "1 officer(s)" in result.output


def test_counts_are_computed_per_owner(db):
    li, zhang = make_user("officer", name="李"), make_user("officer", name="张")
    for days in (1, 2, 3):
        _lead(li, TODAY - timedelta(days=days))
    _lead(zhang, TODAY - timedelta(days=1))
    inactive = make_user("officer", name="离职")
    _lead(inactive, TODAY - timedelta(days=1))
    inactive.active = False
    _db.session.commit()
    assert [(user.name, n) for user, n in digest.overdue_counts(TODAY)] == [("李", 3), ("张", 1)]
    assert [days for _lead_, days in digest.overdue_for(li, TODAY)] == [3, 2, 1]
