"""Helpers for the JSON API tests."""




def enquiry_payload(**overrides) -> dict:
    """A valid partner-portal enquiry as JSON; an override of None drops the key."""
    data = {
        "need": "factory_rental",
        "use": "锂电池模组组装",
        "expected_tax": 800,
        "company": "深圳市锐能电池科技有限公司",
        "contact_name": "陈立",
        "mobile": "+86 139 2345 6789",
        "email": "chen.li@ruineng-battery.cn",
        "area": 12000,
        "investment": 30000.5,
        "message": "需要一栋带行车的标准厂房，层高8米以上。",
        "consent": True,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
