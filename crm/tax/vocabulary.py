"""Tax kinds and periods as the tax office writes them, in Chinese or English."""

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from crm.core.spreadsheets import CellError, normalise_header
from crm.core.vocabulary import Vocabulary

TAX_KINDS = Vocabulary("tax_kind", [
    ("total", _l("All taxes")),
    ("vat", _l("Value-added tax")),
    ("corporate_income", _l("Corporate income tax")),
    ("individual_income", _l("Individual income tax")),
    ("urban_maintenance", _l("Urban maintenance and construction tax")),
    ("property", _l("Property tax")),
    ("land_use", _l("Urban land use tax")),
    ("stamp", _l("Stamp duty")),
    ("land_appreciation", _l("Land appreciation tax")),
    ("consumption", _l("Consumption tax")),
    ("other", _l("Other taxes")),
])

KIND_SPELLINGS = {
    "合计": "total", "全部": "total", "税收合计": "total", "总计": "total", "total": "total", "all": "total",
    "all taxes": "total",
    "增值税": "vat", "vat": "vat", "value-added tax": "vat", "value added tax": "vat",
    "企业所得税": "corporate_income", "所得税": "corporate_income", "corporate income tax": "corporate_income",
    "cit": "corporate_income",
    "个人所得税": "individual_income", "个税": "individual_income", "individual income tax": "individual_income",
    "iit": "individual_income",
    "城市维护建设税": "urban_maintenance", "城建税": "urban_maintenance",
    "urban maintenance and construction tax": "urban_maintenance",
    "房产税": "property", "property tax": "property",
    "城镇土地使用税": "land_use", "土地使用税": "land_use", "land use tax": "land_use",
    "urban land use tax": "land_use",
    "印花税": "stamp", "stamp duty": "stamp", "stamp tax": "stamp",
    "土地增值税": "land_appreciation", "land appreciation tax": "land_appreciation",
    "消费税": "consumption", "consumption tax": "consumption",
    "其他": "other", "其他税": "other", "其他税种": "other", "other": "other", "other taxes": "other",
}
KIND_CODES = {normalise_header(k): v for k, v in KIND_SPELLINGS.items()}

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER_CN = re.compile(r"^(\d{4})年?第?([1-4一二三四])季度?$")
_QUARTER_Q = re.compile(r"^(\d{4})\s*[-/ ]?\s*q\s*([1-4])$", re.IGNORECASE)
_QUARTER_Q_FIRST = re.compile(r"^q\s*([1-4])\s*[-/ ]?\s*(\d{4})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]\s*\d{1,2}\s*日?)?$")
_MONTH_COMPACT = re.compile(r"^(\d{4})(\d{2})$")


class Period:
    """A tax period: a month (2025-03) or a quarter (2025Q1)."""

    __slots__ = ("year", "quarter", "month")

    def __init__(self, year: int, quarter: int, month: int | None = None):
        self.year, self.quarter, self.month = year, quarter, month

    @property
    def code(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else f"{self.year}Q{self.quarter}"

    @classmethod
    def from_code(cls, code: str) -> "Period":
        if "Q" in code:
            year, quarter = code.split("Q")
            return cls(int(year), int(quarter))
        year, month = code.split("-")
        return cls(int(year), (int(month) - 1) // 3 + 1, int(month))


def _month(year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise CellError(_l("is not a month or quarter (write 2025Q1 or 2025-03)"))
    return Period(year, (month - 1) // 3 + 1, month)


def parse_period(value, today: date | None = None) -> Period:
    """2025Q1, 2025-Q1, Q1 2025, 2025年第一季度, 2025年1季度 → a quarter; 2025-03, 2025年3月, 202503 or a
    date cell → a month. Years before 2000 or after next year are refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellError(_l("is required"))
    if isinstance(value, datetime | date):
        period = _month(value.year, value.month)
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = normalise_header(value).replace("年度", "年")
        raw = str(value).strip()
        period = None
        compact = re.sub(r"\s+", "", raw)
        for pattern, order in ((_QUARTER_Q, "yq"), (_QUARTER_Q_FIRST, "qy")):
            if match := pattern.match(compact):
                year, quarter = (match[1], match[2]) if order == "yq" else (match[2], match[1])
                period = Period(int(year), int(quarter))
                break
        if period is None and (match := _QUARTER_CN.match(compact)):
            period = Period(int(match[1]), _CN_DIGITS[match[2]])
        if period is None and (match := _MONTH.match(compact)):
            period = _month(int(match[1]), int(match[2]))
        if period is None and (match := _MONTH_COMPACT.match(compact)):
            period = _month(int(match[1]), int(match[2]))
        if period is None:
            raise CellError(_l("is not a month or quarter (write 2025Q1 or 2025-03): “%(value)s”",
                               value=text[:20] or raw[:20]))
    latest = (today or date.today()).year + 1
    if not 2000 <= period.year <= latest:
        raise CellError(_l("has a year outside 2000–%(latest)s", latest=latest))
    return period
