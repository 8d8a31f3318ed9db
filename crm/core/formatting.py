"""Numbers, money, land and dates shown the way a zone office reads them, in either language."""

from datetime import UTC, date, datetime
from decimal import Decimal

from flask_babel import format_date, format_datetime, format_decimal, get_locale, to_user_timezone
from flask_babel import gettext as _

MU_IN_M2 = Decimal("666.67")


def _is_zh() -> bool:
    locale = get_locale()
    return bool(locale) and locale.language == "zh"


def money_wan(value) -> str:
    """Money held in 万元: '12,345.6 万元' in Chinese, 'CNY 123.46 M' in English."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    if _is_zh():
        return f"{format_decimal(amount, format='#,##0.##')} 万元"
    return _("CNY %(amount)s M", amount=format_decimal(amount / 100, format="#,##0.##"))


def land_mu(value) -> str:
    """Land area in 亩 (mu)."""
    if value is None or value == "":
        return "—"
    number = format_decimal(Decimal(value), format="#,##0.##")
    return f"{number} 亩" if _is_zh() else _("%(number)s mu", number=number)


def area_m2(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{format_decimal(Decimal(value), format='#,##0.##')} m²"


def number(value) -> str:
    if value is None or value == "":
        return "—"
    return format_decimal(value, format="#,##0.##")


def local_date(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):  # stored in UTC: the office's calendar day may differ
        value = to_user_timezone(value.replace(tzinfo=UTC)).date()
    if isinstance(value, date):
        return format_date(value, "yyyy-MM-dd") if _is_zh() else format_date(value, "medium")
    return str(value)


def local_datetime(value) -> str:
    if value is None:
        return "—"
    return format_datetime(value, "yyyy-MM-dd HH:mm") if _is_zh() else format_datetime(value, "d MMM y, HH:mm")


def local_today() -> date:
    """Today in the zone's time zone: a 'due today' action is due by the office's calendar."""
    return to_user_timezone(datetime.now(UTC)).date()


def mask_mobile(mobile: str | None) -> str:
    """'+8613812345678' → '+86138****5678': enough to recognise, not enough to call."""
    if not mobile:
        return ""
    if len(mobile) <= 7:
        return mobile[:2] + "*" * (len(mobile) - 2)
    return mobile[:-8] + "****" + mobile[-4:]
