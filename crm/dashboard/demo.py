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


def seed(rng, users, leads, today: date | None = None) -> list[Target]:
    """Load the targets for the current and the previous year (skipping a year that already has some).

    :param rng: the seed's random.Random (unused: targets are fixed figures, kept for a uniform call).
    :param users: the demo users; the first manager (or admin) is recorded as having set the targets.
    :param leads: the demo leads (unused: progress is computed from them at read time).
    """
    year = (today or date.today()).year
    setter = next((u for u in users if getattr(u, "role", None) == "manager"),
                  next((u for u in users if getattr(u, "is_manager", False)), None))
    made = []
    for target_year, figures in ((year, THIS_YEAR), (year - 1, LAST_YEAR)):
        if target_for(target_year) is not None:
            continue
        target = Target(year=target_year, updated_by_id=setter.id if setter else None, **figures)
        db.session.add(target)
        made.append(target)
    db.session.flush()
    return made
