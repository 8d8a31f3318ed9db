"""Pagination done in SQL: one COUNT and one LIMIT/OFFSET query, whatever the table size."""

from dataclasses import dataclass
from math import ceil

from sqlalchemy import Select, func, literal_column, select

from crm.extensions import db


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    capped: bool = False  # the count stopped at `total`: there are more (see paginate's count_cap)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.capped or self.page < self.pages


MAX_PAGE = 100_000  # past this an OFFSET only makes the database work for an empty page


def paginate(query: Select, page: int, per_page: int, *, count_cap: int | None = None) -> Page:
    """One page of `query`. With `count_cap`, counting stops after that many rows (at least through the
    page asked for and the next): PostgreSQL counts by reading every row, and "more than 2,000" tells a
    reader of an unfiltered list of 100,000 leads as much as the exact figure, at a tenth of the cost.
    (SQLite counts a table or an index range without reading rows: there an exact count is cheaper.)"""
    page = min(max(1, page), MAX_PAGE)
    counted, capped = query.order_by(None), False
    if count_cap:
        cap = max(count_cap, (page + 1) * per_page)
        # Only a constant per row: the database may count index entries instead of reading rows.
        narrow = counted.with_only_columns(literal_column("1"), maintain_column_froms=True).limit(cap + 1)
        total = db.session.scalar(select(func.count()).select_from(narrow.subquery())) or 0
        capped, total = total > cap, min(total, cap)
    else:
        total = db.session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items=items, total=total, page=page, per_page=per_page, capped=capped)
