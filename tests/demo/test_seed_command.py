"""`crm seed-demo`: --if-empty, larger runs, running twice, the extension hook, and the row planner itself."""

import random
import sys
import textwrap
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from crm.auth.models import User
from crm.demo import seed
from crm.demo.plan import Cast, LeadPlanner
from crm.leads import services
from crm.leads.models import Activity, Lead
from tests.demo import checks
from tests.factories import make_user


@pytest.fixture
def cli(app, db):
    """invoke("--leads", "20") runs `flask crm seed-demo ...` on the test database."""
    runner = app.test_cli_runner()

    def invoke(*args):
        result = runner.invoke(args=["crm", "seed-demo", *args])
        db.session.rollback()  # see what the command committed
        return result

    return invoke


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_if_empty_leaves_a_database_with_users_alone(cli, db):
    make_user("admin", email="someone@zone.gov.cn")
    result = cli("--if-empty")
    assert result.exit_code == 0, result.output
    assert "already has data" in result.output
    assert _count(db, Lead) == 0
    assert db.session.scalars(select(User.email)).all() == ["someone@zone.gov.cn"]


def test_if_empty_seeds_an_empty_database(cli, db):
    result = cli("--if-empty", "--leads", "40")
    assert result.exit_code == 0, result.output
    assert _count(db, Lead) == 40
    assert _count(db, User) == 5


def test_two_thousand_leads(cli, db):
    result = cli("--leads", "2000")
    assert result.exit_code == 0, result.output
    assert "2,000 leads" in result.output
    all_leads = checks.assert_demo_consistent()
    assert len(all_leads) == 2000
    assert _count(db, Activity) > 2000 * 2


def test_seeding_again_adds_leads_and_new_ids_follow(cli, db):
    assert cli("--leads", "30").exit_code == 0
    assert cli("--leads", "30").exit_code == 0
    assert _count(db, User) == 5  # the demo users are reused
    assert db.session.scalar(select(func.max(Lead.id))) == 60
    # The id sequence (PostgreSQL) was moved past the seeded ids: a new lead gets the next one.
    officer = db.session.scalar(select(User).where(User.email == "li.wei@demo.zone"))
    lead = services.create_lead({"kind": "office", "source": "hotline", "company_name": "新来的测试企业有限公司",
                                 "contact_name": "赵六", "mobile": "+8613900000001"}, by=officer)
    db.session.commit()
    assert lead.id == 61
    checks.assert_stage_histories_consistent(checks.leads()[:60])


def test_extensions_get_rng_users_and_leads(app, db, monkeypatch, tmp_path):
    (tmp_path / "demo_ext_ok.py").write_text(textwrap.dedent("""
        calls = []

        def seed(rng, users, leads):
            calls.append((rng.random(), users, leads))
            return ["ok extension loaded", 42]
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(seed, "EXTENSIONS", ("crm.no_such_feature.demo", "demo_ext_missing", "demo_ext_ok"))
    lines = seed.seed_demo(lead_count=25)
    module = sys.modules["demo_ext_ok"]
    assert len(module.calls) == 1
    draw, users, leads = module.calls[0]
    assert users["manager"].email == "manager@demo.zone"
    assert [user.email for user in users["officers"]] == ["li.wei@demo.zone", "zhang.min@demo.zone",
                                                          "chen.jing@demo.zone"]
    assert users["admin@demo.zone"].role == "admin"
    assert len(leads) == 25
    assert set(seed.SUMMARY_FIELDS) | {"reference"} == set(leads[0])
    assert leads[0]["reference"] == f"ZS-{leads[0]['created_at'].year}-{leads[0]['id']:06d}"
    assert "ok extension loaded" in lines
    # Its own stream: the same whatever the leads drew.
    assert draw == random.Random(f"{seed.SEED}:demo_ext_ok").random()


def test_an_extension_that_fails_to_import_something_else_is_not_hidden(app, db, monkeypatch, tmp_path):
    (tmp_path / "demo_ext_broken.py").write_text("import not_installed_anywhere_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(seed, "EXTENSIONS", ("demo_ext_broken",))
    with pytest.raises(ModuleNotFoundError):
        seed.seed_demo(lead_count=5)


class _Writer:
    """A BulkWriter stand-in that keeps rows as they are (the planner tests need no database)."""

    @staticmethod
    def prepare(table, rows):
        return [{k: v for k, v in row.items() if k != "status_token"} for row in rows]


def _plan(count, seed_value=7):
    planner = LeadPlanner(random.Random(seed_value), Cast(1, [2, 3, 4]), now=datetime(2026, 6, 1, 8, 0, 0),
                          today=date(2026, 6, 1), first_id=1)
    batches = list(seed.ready_batches(planner, count, _Writer()))
    return [[row for batch in batches for row in batch.tables[i]] for i in range(3)]


def test_the_same_seed_plans_the_same_zone():
    assert _plan(200) == _plan(200)
    assert _plan(200)[0] != _plan(200, seed_value=8)[0]


def test_a_forked_planner_plans_the_same_rows(monkeypatch):
    inline = _plan(450)
    monkeypatch.setattr(seed, "PARALLEL_FROM", 100)
    monkeypatch.setattr(seed, "LEADS_PER_BATCH", 100)
    assert _plan(450) == inline


def test_a_negative_lead_count_is_refused(app, db):
    with pytest.raises(ValueError):
        seed.seed_demo(lead_count=-1)
    assert _count(db, User) == 0


def test_seeded_and_later_leads_are_found_by_search(cli, db):
    """The bulk load skips the search index's row trigger (SQLite) and rebuilds it: nothing is missing."""
    from crm.leads.queries import search_condition

    assert cli("--leads", "60").exit_code == 0
    seeded = db.session.scalar(select(Lead).where(Lead.collides_with_id.is_(None)).order_by(Lead.id.desc()).limit(1))
    found = db.session.scalars(select(Lead.id).where(search_condition(seeded.company_key))).all()
    assert seeded.id in found
    officer = db.session.scalar(select(User).where(User.email == "zhang.min@demo.zone"))
    later = services.create_lead({"kind": "office", "source": "hotline", "company_name": "甲乙丙丁测试有限公司",
                                  "contact_name": "钱七", "mobile": "+8613900000002"}, by=officer)
    db.session.commit()
    assert db.session.scalars(select(Lead.id).where(search_condition("甲乙丙丁"))).all() == [later.id]
