"""Numbers, money, land and dates shown the way a zone office reads them, in either language."""

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import phonenumbers
from flask import current_app, g
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _

MU_IN_M2 = Decimal("666.67")


def _is_zh() -> bool:
    locale = get_locale()
    return bool(locale) and locale.language == "zh"


_CENT = Decimal("0.01")


def _grouped(value) -> str:
    """The number as Babel writes '#,##0.##' in zh_CN and en (the two UI languages share the symbols):
    thousands grouped with ',', at most two decimals, half-even rounding, no trailing zeros. Written out
    because list pages format hundreds of figures, and Babel's general formatter costs ~20 µs each."""
    amount = Decimal(str(value) if isinstance(value, float) else value).quantize(_CENT, rounding=ROUND_HALF_EVEN)
    if not amount:
        return "-0" if amount.is_signed() else "0"
    text = f"{amount:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money_wan(value) -> str:
    """Money held in 万元: '12,345.6 万元' in Chinese, 'CNY 123.46 M' in English."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    if _is_zh():
        return f"{_grouped(amount)} 万元"
    return _("CNY %(amount)s M", amount=_grouped(amount / 100))


def land_mu(value) -> str:
    """Land area in 亩 (mu)."""
    if value is None or value == "":
        return "—"
    number = _grouped(Decimal(value))
    return f"{number} 亩" if _is_zh() else _("%(number)s mu", number=number)


def area_m2(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{_grouped(Decimal(value))} m²"


def number(value) -> str:
    if value is None or value == "":
        return "—"
    return _grouped(value)


def local_date(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):  # stored in UTC: the office's calendar day may differ
        value = value.replace(tzinfo=UTC).astimezone(office_zone()).date()
    if isinstance(value, date):
        # yyyy-MM-dd is ISO 8601: the same text as Babel's, without its pattern machinery.
        return value.isoformat() if _is_zh() else format_date(value, "medium")
    return str(value)


def local_datetime(value) -> str:
    if value is None:
        return "—"
    return format_datetime(value, "yyyy-MM-dd HH:mm") if _is_zh() else format_datetime(value, "d MMM y, HH:mm")


def local_today() -> date:
    """Today in the zone's time zone: a 'due today' action is due by the office's calendar."""
    try:  # list pages ask once per row: remember it for the request
        cached = g.get("_local_today")
    except RuntimeError:  # no app context
        return datetime.now(office_zone()).date()
    if cached is None:
        cached = g._local_today = datetime.now(office_zone()).date()
    return cached


def office_zone() -> ZoneInfo:
    """The zone office's time zone (BABEL_DEFAULT_TIMEZONE, from CRM_TIMEZONE). Converted directly rather than
    through Flask-Babel's to_user_timezone (pytz, a lookup per call): list pages convert a date per row."""
    return _zone(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def mask_mobile(mobile: str | None) -> str:
    """'+8613812345678' → '+86138****5678': enough to recognise, not enough to call."""
    if not mobile:
        return ""
    if len(mobile) <= 7:
        return mobile[:2] + "*" * (len(mobile) - 2)
    return mobile[:-8] + "****" + mobile[-4:]


# Only digits and the separators people type: phonenumbers would read '+86138****5678' as a shorter number.
_DIALLABLE = re.compile(r"\+?[0-9][0-9 ()\-]*")


def phone_number(value: str | None) -> str:
    """A stored number as people read it: '+8613812345678' → '138 1234 5678' (a Chinese number in the
    national form, as a zone office dials it), '+493012345678' → '+49 30 12345678'. Anything that is not a
    valid number (a masked one, a legacy free-text one) is shown as it is. Links (tel:) keep the E.164 form."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    if not _DIALLABLE.fullmatch(text):
        return text
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    if number.country_code == 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
