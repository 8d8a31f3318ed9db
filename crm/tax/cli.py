"""`flask --app wsgi crm import-tax FILE`: the tax office's spreadsheet from the command line.

Registered on the `crm` command group when the tax package is imported (create_app imports every blueprint
before the group is added to the app), so crm/cli.py needs no change.
"""

import time

import click

from crm.cli import crm_cli
from crm.extensions import db


@crm_cli.command("import-tax")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "email", default=None, help="Record the import as made by this user.")
def import_tax_command(path, email):
    """Import tax records from FILE (.xlsx or .csv): all rows or none; the same file twice changes nothing."""
    from crm.auth.services import find_user
    from crm.core.spreadsheets import SpreadsheetError
    from crm.tax import services

    user = find_user(email) if email else None
    if email and user is None:
        raise click.ClickException(f"No user {email}")
    started = time.perf_counter()
    try:
        report = services.import_tax(path, path, by=user)
        db.session.commit()
    except SpreadsheetError as err:
        db.session.rollback()
        raise click.ClickException(f"File refused, nothing imported: {err}") from None
    except services.TaxImportRefused as err:
        db.session.rollback()
        click.echo(f"Nothing imported: {err.report.error_rows} of {err.report.rows} rows are invalid.", err=True)
        for error in err.report.errors:
            click.echo(f"  row {error}", err=True)
        if len(err.report.errors) < err.report.error_rows:
            click.echo(f"  (first {len(err.report.errors)} shown)", err=True)
        raise SystemExit(1) from None
    elapsed = time.perf_counter() - started
    click.echo(f"{report.rows} rows read in {elapsed:.1f} s: {report.inserted} new, {report.updated} updated, "
               f"{report.unchanged} unchanged; {report.matched} linked to projects by credit code.")
    if not report.changed:
        click.echo("Nothing changed: this file was already imported.")
    waiting = services.count_name_candidates()
    if waiting:
        click.echo(f"{waiting} taxpayer(s) match a project by name only and wait for confirmation at /tax/matches.")
