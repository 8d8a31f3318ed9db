"""`flask --app wsgi crm deliver-notifications` and `crm send-digest`, for cron."""

import click

from crm.cli import crm_cli


@crm_cli.command("deliver-notifications")
@click.option("--now", "retry_now", is_flag=True, help="Retry every pending message now, ignoring its backoff.")
def deliver_notifications_command(retry_now):
    """Send the emails and webhook messages that are due (run every few minutes from cron)."""
    from crm.notifications import delivery

    if retry_now:
        delivery.retry_all_now()
    counts = delivery.deliver_pending()
    pruned = delivery.prune_sent()
    click.echo(f"sent {counts['sent']}, to retry {counts['retry']}, given up {counts['failed']}"
               + (f"; removed {pruned} sent more than 30 days ago" if pruned else ""))


@crm_cli.command("send-digest")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to report on (default: today in the zone).")
def send_digest_command(day):
    """Email each officer their overdue follow-ups, and managers a count per officer (daily, from cron)."""
    from crm.core.formatting import local_today
    from crm.notifications import delivery, digest

    today = day.date() if day else local_today()
    with delivery.sending_inline():  # cron waits for the sending, so it can report what went out
        result = digest.send_digest(today)
        sent = delivery.deliver_pending()
    if not delivery.email_enabled():
        click.echo("SMTP is not configured (CRM_SMTP_HOST): no digest emails were queued.")
    click.echo(f"{result.officers} officer(s) with {result.overdue} overdue follow-up(s); "
               f"{result.queued} email(s) queued, {sent['sent']} sent, {sent['retry']} to retry.")
