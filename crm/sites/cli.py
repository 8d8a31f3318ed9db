"""`flask --app wsgi crm release-reservations`: release site reservations whose end date has passed (cron).

Registered on the `crm` command group when the sites package is imported, as `crm import-tax` is.
"""

import click

from crm.cli import crm_cli
from crm.extensions import db


@crm_cli.command("release-reservations")
def release_reservations_command():
    """Make every site whose reservation ended before today available again (daily, from cron)."""
    from crm.core.formatting import local_today
    from crm.sites.expiry import release_expired_reservations

    released = release_expired_reservations(local_today())
    db.session.commit()
    click.echo(f"Released {released} expired site reservation(s).")
