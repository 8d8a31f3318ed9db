"""The hand-written number and date formatting of list pages writes exactly what Babel would."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from crm.core import formatting, vocabulary


@given(st.decimals(min_value=-10**12, max_value=10**12, allow_nan=False, allow_infinity=False, places=4))
def test_grouped_numbers_match_babel_in_both_languages(value):
    for locale in ("zh_CN", "en"):
        assert formatting._grouped(value) == format_decimal(value, format="#,##0.##", locale=locale)


@pytest.mark.parametrize("value", [0, 1, 2.675, 0.1, 1234567.891, -0.004, Decimal("999.995"), 10**9])
def test_grouped_numbers_take_ints_and_floats(value):
    assert formatting._grouped(value) == format_decimal(value, format="#,##0.##", locale="zh_CN")


def test_chinese_dates_are_iso_like_babels(app):
    with app.test_request_context("/?lang=zh_CN"):
        for day in (date(2026, 1, 5), date(999, 12, 31), date(2026, 11, 30)):
            assert formatting.local_date(day) == format_date(day, "yyyy-MM-dd", locale="zh_CN")
        # 2026-11-29 20:00 UTC is already the 30th in Zhuzhou.
        assert formatting.local_date(datetime(2026, 11, 29, 20, 0)) == "2026-11-30"


def test_labels_follow_a_language_forced_mid_request(app):
    from flask_babel import force_locale

    with app.test_request_context("/?lang=zh_CN"):
        chinese = vocabulary.LEAD_KINDS.label("land")
        with force_locale("en"):
            english = vocabulary.LEAD_KINDS.label("land")
        assert chinese != english and vocabulary.LEAD_KINDS.label("land") == chinese
