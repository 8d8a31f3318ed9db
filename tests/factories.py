"""Plain functions that make test data through the real services."""

import itertools
from decimal import Decimal

from sqlalchemy import func, inspect, select

from crm.auth import services as accounts
from crm.extensions import db
from crm.leads import services
from crm.leads.models import Industry

_counter = itertools.count(1)
PASSWORD = "pass-1234"


def make_user(role="officer", name=None, email=None, active=True):
    n = next(_counter)
    user = accounts.create_user(email or f"{role}{n}@test.zone", role=role, name=name or f"{role.title()} {n}",
                                password=PASSWORD)
    user.active = active
    db.session.commit()
    return user


def make_industry(code="nev", name_zh="新能源汽车", name_en="New-energy vehicles"):
    industry = db.session.get(Industry, code) or Industry(code=code, name_zh=name_zh, name_en=name_en)
    db.session.add(industry)
    db.session.commit()
    return industry


def make_lead(by=None, owner=None, stage=None, commit=True, **overrides):
    """A lead created through create_lead; `stage` is forced directly (tests of gates set it up)."""
    n = next(_counter)
    values = {
        "kind": "factory_rental", "source": "hotline", "company_name": f"测试企业{n}号科技有限公司",
        "contact_name": f"联系人{n}", "mobile": f"+86139{n:08d}", "intended_use": "电子元件组装",
        "consent": True,
    }
    values.update(overrides)
    lead = services.create_lead(values, by=by)
    if owner is not None:
        lead.owner_id = owner.id
    if stage is not None:
        lead.stage = stage
    if commit:
        db.session.commit()
    return lead


def signable_figures():
    return {"planned_investment_wan": Decimal("50000"), "land_mu": Decimal("80"),
            "expected_tax_wan": Decimal("3000")}


def table_counts() -> dict[str, int]:
    """Row count of every table, in one query: equal before and after means a request stored nothing."""
    db.session.rollback()
    existing = set(inspect(db.engine).get_table_names())  # a model whose migration is not written yet
    tables = [table for table in db.metadata.sorted_tables if table.name in existing]
    counts = db.session.execute(select(*(select(func.count()).select_from(table).scalar_subquery()
                                         .label(table.name) for table in tables))).one()
    return dict(zip([table.name for table in tables], counts, strict=True))
