"""Demo data for the dashboard: the zone's "2121" targets for this year, and last year's targets."""

from datetime import date
from decimal import Decimal

from crm.dashboard.models import Target
from crm.dashboard.targets import target_for
from crm.extensions import db

# "2121": 200 key projects under way, 100 key talents, 200亿元 (2,000,000 万元) of investment,
# 100 key projects started or completed. Signed leads is the bureau's own working target.
THIS_YEAR = {"key_projects": 200, "key_talents": 100, "investment_wan": Decimal("2000000"),
             "started_or_completed": 100, "signed_leads": 160}
# Last year the zone reported 42 starts + 44 completions, 162 new projects and 65 talents;
# these are the targets it had set itself for that year.
LAST_YEAR = {"key_projects": 180, "key_talents": 60, "investment_wan": Decimal("1600000"),
             "started_or_completed": 80, "signed_leads": 150}


def seed(rng, users, leads, today: date | None = None) -> list[str]:
    """Load the targets for the current and the previous year (a year that already has some is kept).

    :param rng: the seed's random.Random (unused: targets are fixed figures; kept for the uniform call).
    :param users: the demo users: crm.demo.seed's dict (with a "manager" entry) or a list of users; the
        manager is recorded as having set the targets.
    :param leads: the demo leads (unused: progress is computed from them at read time).
    Returns summary lines for the console.
    """
    year = (today or date.today()).year
    setter = _manager(users)
    lines = []
    for target_year, figures in ((year, THIS_YEAR), (year - 1, LAST_YEAR)):
        if target_for(target_year) is not None:
            continue
        db.session.add(Target(year=target_year, updated_by_id=setter.id if setter else None, **figures))
        lines.append(f"Targets {target_year}: {figures['key_projects']} key projects, "
                     f"{figures['key_talents']} talents, {figures['investment_wan']:,} 万元 investment, "
                     f"{figures['started_or_completed']} started or completed, "
                     f"{figures['signed_leads']} signed leads.")
    db.session.flush()
    return lines


def _manager(users):
    if isinstance(users, dict):
        if users.get("manager") is not None:
            return users["manager"]
        users = users.get("all") or list(users.values())
    people = [u for u in users if hasattr(u, "role")]
    return next((u for u in people if u.role == "manager"), next((u for u in people if u.is_manager), None))
