import pytest

from crm.leads.display import field_value


@pytest.mark.parametrize("field, value, zh, en", [
    ("kind", "factory_rental", "租赁", "Rent a standard factory"),
    ("is_key", "1", "是", "Yes"),
    ("is_key", "0", "否", "No"),
    ("planned_investment_wan", "50000", "50,000 万元", "CNY 500 M"),
    ("land_mu", "80.5", "80.5 亩", "80.5 mu"),
    ("industry_code", "nev", "新能源汽车", "New-energy vehicles"),
    ("timing", None, "—", "—"),
])
def test_audited_values_read_as_words(app, field, value, zh, en):
    names = {"zh": {"nev": "新能源汽车"}, "en": {"nev": "New-energy vehicles"}}
    with app.test_request_context("/?lang=zh_CN"):
        assert zh in field_value(field, value, names["zh"])
    with app.test_request_context("/?lang=en"):
        assert en in field_value(field, value, names["en"])
