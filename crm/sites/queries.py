"""Reads of the site inventory: the filtered list, parks, a lead's reserved sites."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import Select, and_, func, or_, select

from crm.core.pagination import Page, paginate
from crm.extensions import db
from crm.sites.models import Site, SiteEvent
from crm.sites.vocabulary import PARKS, SITE_KINDS, SITE_STATUSES


@dataclass
class SiteFilters:
    q: str = ""
    kind: str = ""
    status: str = ""  # a status code, or "free" (available or reservation expired)
    park: str = ""
    min_size: str = ""
    max_size: str = ""
    sort: str = "code"


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal((text or "").replace(",", "").strip())
        return value if value.is_finite() and value >= 0 else None
    except (InvalidOperation, ValueError):
        return None


def filtered_sites(filters: SiteFilters, today: date) -> Select:
    query = select(Site)
    q = (filters.q or "").strip()[:100]
    if q:
        query = query.where(or_(Site.code.ilike(f"%{q}%"), Site.name.ilike(f"%{q}%"),
                                Site.address.ilike(f"%{q}%"), Site.park.ilike(f"%{q}%")))
    if filters.kind in SITE_KINDS:
        query = query.where(Site.kind == filters.kind)
    if filters.status == "free":
        query = query.where(or_(Site.status == "available",
                                and_(Site.status == "reserved", Site.reserved_until < today)))
    elif filters.status in SITE_STATUSES:
        query = query.where(Site.status == filters.status)
    if filters.park:
        query = query.where(Site.park == filters.park)
    # Size is compared in the site's own unit: mu for land plots, m² for buildings.
    size = func.coalesce(Site.land_mu, Site.area_m2) if filters.kind not in SITE_KINDS else (
        Site.land_mu if filters.kind == "land_plot" else Site.area_m2)
    low, high = _decimal(filters.min_size), _decimal(filters.max_size)
    if low is not None:
        query = query.where(size >= low)
    if high is not None:
        query = query.where(size <= high)
    order = {
        "code": (Site.code,),
        "size": (size.desc(), Site.code),
        "rent": (Site.rent_yuan_m2_month.is_(None), Site.rent_yuan_m2_month, Site.code),
        "newest": (Site.created_at.desc(), Site.id.desc()),
    }.get(filters.sort, (Site.code,))
    return query.order_by(*order)


def site_page(filters: SiteFilters, today: date, page: int, per_page: int = 50) -> Page:
    return paginate(filtered_sites(filters, today), page, per_page)


def status_counts() -> dict[str, int]:
    return dict(db.session.execute(select(Site.status, func.count(Site.id)).group_by(Site.status)).all())


def parks() -> list[str]:
    """The zone's parks first, then any other park a site names."""
    stored = list(db.session.scalars(select(Site.park).distinct().order_by(Site.park)))
    return list(PARKS) + [p for p in stored if p not in PARKS]


def site_events(site: Site, limit: int = 200) -> list[SiteEvent]:
    return list(db.session.scalars(select(SiteEvent).where(SiteEvent.site_id == site.id)
                                   .order_by(SiteEvent.at.desc(), SiteEvent.id.desc()).limit(limit)))
