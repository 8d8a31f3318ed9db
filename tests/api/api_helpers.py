"""Helpers for the JSON API tests."""

from sqlalchemy import func, inspect, select

from crm.extensions import db


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


def table_counts() -> dict[str, int]:
    """Row count of every table, in one query: equal before and after means a request stored nothing."""
    db.session.rollback()
    existing = set(inspect(db.engine).get_table_names())  # a model whose migration is not written yet
    tables = [table for table in db.metadata.sorted_tables if table.name in existing]
    counts = db.session.execute(select(*(select(func.count()).select_from(table).scalar_subquery()
                                         .label(table.name) for table in tables))).one()
    return dict(zip([table.name for table in tables], counts, strict=True))
