"""Helpers for the public pages: a valid enquiry, field errors, and a database fingerprint."""

import re

FIELD_ERROR = re.compile(r'<div class="invalid-feedback d-block">([^<]*)</div>')
STATUS_LINK = re.compile(r'href="[^"]*(/enquiry/status/[A-Za-z0-9_\-]+)"')
REFERENCE = re.compile(r"ZS-\d{4}-\d{6}")


def valid_enquiry(**overrides) -> dict:
    """A complete enquiry in Chinese, as the form posts it; an override of None drops the field."""
    data = {
        "need": "land",
        "use": "新能源汽车电机控制器生产基地",
        "expected_tax": "1200",
        "company": "湖南星驰动力科技有限公司",
        "contact_name": "王建国",
        "mobile": "138 0731 2345",
        "email": "wang.jianguo@xingchi-power.cn",
        "industry": "",
        "area": "60",
        "investment": "50000",
        "message": "计划明年一季度开工，希望了解土地价格和配套政策。",
        "consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def field_errors(html: str) -> list[str]:
    """The messages shown next to fields."""
    return FIELD_ERROR.findall(html)


from factories import table_counts  # noqa: E402,F401  (re-exported for the tests that import it here)
