"""The demo zone. (Placeholder until the full seed lands: users and industry chains only.)"""

from sqlalchemy import func, select

from crm.auth.models import User
from crm.extensions import db


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(User.id)))


def seed_demo(lead_count: int = 300) -> list[str]:
    raise NotImplementedError
