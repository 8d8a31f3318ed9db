"""`flask crm create-user` and `flask crm create-token`, run through Click's test runner."""

import pytest
from flask_babel import gettext
from sqlalchemy import func, select

from crm.auth import services as accounts
from crm.auth.models import ApiToken, User


@pytest.fixture
def cli(app, db):
    """invoke("create-user", ...) runs a `flask crm` command; the database is the test database."""
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        result = runner.invoke(args=["crm", *args], input=input)
        db.session.rollback()  # see what the command committed
        return result

    return invoke


def _users(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("role", ["officer", "manager", "admin"])
def test_create_user_with_password_on_stdin(cli, db, role):
    result = cli("create-user", "Li.Wei@Zone.gov.cn", "--role", role, "--password-stdin", input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert "li.wei@zone.gov.cn" in result.output
    user = accounts.find_user("li.wei@zone.gov.cn")
    assert (user.email, user.role, user.is_active) == ("li.wei@zone.gov.cn", role, True)
    assert user.check_password("s3cret-pass")
    assert "s3cret-pass" not in (user.password_hash or "")
    assert accounts.authenticate("li.wei@zone.gov.cn", "s3cret-pass") is not None


def test_create_user_with_a_name(cli, db):
    result = cli("create-user", "zhang@zone.gov.cn", "--role", "manager", "--name", "张敏",
                 "--password-stdin", input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert accounts.find_user("zhang@zone.gov.cn").name == "张敏"


def test_the_password_may_be_typed_at_the_prompt(cli, db):
    result = cli("create-user", "chen@zone.gov.cn", "--role", "officer", input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert accounts.find_user("chen@zone.gov.cn").check_password("s3cret-pass")


@pytest.mark.parametrize("email", ["li.wei@zone.gov.cn", "LI.WEI@ZONE.GOV.CN", "  li.wei@zone.gov.cn  "])
def test_a_duplicate_email_is_refused_clearly(cli, db, email):
    assert cli("create-user", "li.wei@zone.gov.cn", "--role", "officer", "--password-stdin",
               input="s3cret-pass\n").exit_code == 0
    result = cli("create-user", email, "--role", "admin", "--password-stdin", input="other-pass-1\n")
    assert result.exit_code != 0
    assert gettext("A user with this email already exists.") in result.output  # in the CLI's language
    assert "Traceback" not in result.output
    assert _users(db) == 1
    assert accounts.find_user("li.wei@zone.gov.cn").role == "officer"


@pytest.mark.parametrize(("args", "stdin", "words"), [
    (("not-an-email", "--role", "officer"), "s3cret-pass\n", "Enter a valid email address."),
    (("a@b.cn", "--role", "officer"), "short\n", "The password must have at least 8 characters."),
    (("a@b.cn", "--role", "officer"), "\n", "The password must have at least 8 characters."),
    (("a@b.cn", "--role", "boss"), "s3cret-pass\n", "boss"),
    (("a@b.cn",), "s3cret-pass\n", "--role"),
])
def test_bad_input_is_refused_and_nothing_is_stored(cli, db, args, stdin, words):
    result = cli("create-user", *args, "--password-stdin", input=stdin)
    assert result.exit_code != 0
    assert gettext(words) in result.output
    assert _users(db) == 0


def test_create_token_prints_a_working_token_kept_only_as_a_hash(cli, db, client):
    cli("create-user", "portal@zone.gov.cn", "--role", "manager", "--password-stdin", input="s3cret-pass\n")
    result = cli("create-token", "portal@zone.gov.cn")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1].strip()
    assert len(token) >= 32 and " " not in token

    [record] = db.session.scalars(select(ApiToken)).all()
    stored = " ".join(str(value) for value in (record.token_hash, record.name, record.prefix))
    assert token not in stored
    assert record.token_hash == ApiToken.hash(token)

    response = client.get("/api/v1/leads", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert client.get("/api/v1/leads", headers={"Authorization": f"Bearer {token}x"}).status_code == 401


def test_each_create_token_is_a_new_token(cli, db):
    cli("create-user", "portal@zone.gov.cn", "--role", "officer", "--password-stdin", input="s3cret-pass\n")
    tokens = {cli("create-token", "portal@zone.gov.cn").output.strip() for _ in range(3)}
    assert len(tokens) == 3
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 3


def test_create_token_for_an_unknown_user_fails(cli, db):
    result = cli("create-token", "nobody@zone.gov.cn")
    assert result.exit_code != 0
    assert "nobody@zone.gov.cn" in result.output
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_create_token_for_an_inactive_user_fails(cli, db):
    cli("create-user", "gone@zone.gov.cn", "--role", "officer", "--password-stdin", input="s3cret-pass\n")
    user = accounts.find_user("gone@zone.gov.cn")
    user.active = False
    db.session.commit()
    result = cli("create-token", "gone@zone.gov.cn")
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
