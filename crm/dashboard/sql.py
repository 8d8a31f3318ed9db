"""Dialect-aware SQL pieces (dates, durations, stage tables) that run the same on SQLite and PostgreSQL.

Timestamps are stored as naive UTC; the zone's calendar is local (Asia/Shanghai by default), so period
bounds are turned into UTC instants here, and month grouping shifts timestamps by the zone's offset.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Numeric, case, func, literal, literal_column

from crm.extensions import db
from crm.leads.models import OPEN_STAGES
from crm.leads.stages import PIPELINE

# Stages whose leads still count in the weighted pipeline (probability between 0 and 1).
LIVE_STAGES = OPEN_STAGES + ("on_hold",)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")


def local_start_utc(day: date) -> datetime:
    """The naive UTC instant at which `day` begins on the zone's calendar."""
    return datetime.combine(day, time.min, tzinfo=_zone()).astimezone(UTC).replace(tzinfo=None)


def offset_minutes(day: date) -> int:
    """The zone's UTC offset on `day`, in minutes (Asia/Shanghai: 480)."""
    offset = datetime.combine(day, time(12), tzinfo=_zone()).utcoffset() or timedelta()
    return int(offset.total_seconds() // 60)


def dialect() -> str:
    return db.session.get_bind().dialect.name


def month_of_timestamp(column, minutes: int):
    """'YYYY-MM' of a UTC timestamp column on the zone's calendar."""
    if dialect() == "postgresql":
        return func.to_char(column + literal_column(f"INTERVAL '{int(minutes)} minutes'"), "YYYY-MM")
    return func.strftime("%Y-%m", column, f"{int(minutes):+d} minutes")


def month_of_date(column):
    """'YYYY-MM' of a date column."""
    if dialect() == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def days_between(later, earlier):
    """Fractional days from `earlier` to `later` (two timestamp expressions)."""
    if dialect() == "postgresql":
        return func.extract("epoch", later - earlier) / literal(86400, Numeric)
    return func.julianday(later) - func.julianday(earlier)


def greatest(first, second):
    """The larger of two values (SQLite's two-argument max, PostgreSQL's greatest)."""
    if dialect() == "postgresql":
        return func.greatest(first, second)
    return func.max(first, second)


def stage_position(column):
    """0 for enquiry … 4 for signed; side stages (on hold, lost) count as 0: every lead was an enquiry."""
    return case({stage: index for index, stage in enumerate(PIPELINE)}, value=column, else_=0)


def stage_probability(column):
    """The configured win probability of the stage in `column`, as an exact decimal."""
    probabilities = current_app.config["STAGE_PROBABILITIES"]
    return case({stage: literal(Decimal(str(p)), Numeric(6, 4)) for stage, p in probabilities.items()},
                value=column, else_=literal(Decimal("0"), Numeric(6, 4)))


def money(value) -> Decimal:
    """A SQL sum as 万元 with two decimals (SQLite hands back floats, PostgreSQL exact decimals)."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def ratio(part, whole) -> float | None:
    """part / whole as a fraction rounded to 4 places, or None when there is no whole."""
    if not whole:
        return None
    return round(float(part or 0) / float(whole), 4)
