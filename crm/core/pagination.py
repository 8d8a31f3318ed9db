"""Pagination done in SQL: one COUNT and one LIMIT/OFFSET query, whatever the table size."""

from dataclasses import dataclass
from math import ceil

from sqlalchemy import Select, func, select

from crm.extensions import db


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


MAX_PAGE = 100_000  # past this an OFFSET only makes the database work for an empty page


def paginate(query: Select, page: int, per_page: int) -> Page:
    page = min(max(1, page), MAX_PAGE)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items=items, total=total, page=page, per_page=per_page)
