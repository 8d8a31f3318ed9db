"""`flask --app wsgi crm ...`: accounts, tokens and the demo zone."""

import sys

import click
from flask.cli import AppGroup

from crm.extensions import db

crm_cli = AppGroup("crm", help="ParkLeads administration.")


@crm_cli.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(["officer", "manager", "admin"]), required=True)
@click.option("--name", default=None, help="Display name (defaults to the part before @).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email, role, name, password_stdin):
    """Add a user; without --password-stdin the password is asked for at the prompt."""
    from crm.auth import services

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(email, role=role, name=name, password=password)
    except services.AccountError as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}")


@crm_cli.command("create-token")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def create_token_command(email, name):
    """Print a new API token for EMAIL (shown once; only its hash is stored)."""
    from crm.auth import services

    user = services.find_user(email)
    if user is None or not user.is_active:
        raise click.ClickException(f"No active user {email}")
    token = services.create_token(user, name)
    db.session.commit()
    click.echo(token)


@crm_cli.command("seed-demo")
@click.option("--leads", "lead_count", default=300, show_default=True, help="How many leads to create.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo_command(lead_count, if_empty):
    """Fill the database with a believable demo zone (株洲高新区)."""
    from crm.demo import seed

    if if_empty and not seed.database_is_empty():
        click.echo("Database already has data; demo not loaded.")
        return
    summary = seed.seed_demo(lead_count=lead_count)
    for line in summary:
        click.echo(line)


@crm_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Write a backup of the whole database to PATH (SQLite online backup, or pg_dump's custom format)."""
    from crm.core import backup

    try:
        written = backup.backup(path)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Backup written to {written}")


@crm_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(path, force):
    """Replace the database with the backup at PATH; refuses a database with data unless --force."""
    from crm.core import backup

    try:
        backup.restore(path, force=force)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Restored {path}")


@crm_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty instead of waiting for more jobs.")
def worker_command(burst):
    """Run background jobs (the leaders' pipeline reports, ...) from the Redis queue named by REDIS_URL."""
    from crm.jobs.worker import work

    raise SystemExit(work(burst=burst))
