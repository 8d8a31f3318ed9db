"""Writes to sites: create, edit, import, reserve for a lead, release, and hand over to a project.

Every service takes the acting user (`by`), flushes, and leaves the commit to its caller. Status changes
that can race (reserving, handing over) are single conditional UPDATEs: the database decides who wins.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from crm.auth.models import User
from crm.core import spreadsheets as sheets
from crm.core.database import utcnow
from crm.core.values import same_value
from crm.extensions import db
from crm.leads.models import OPEN_STAGES, Lead
from crm.sites.models import Site, SiteEvent
from crm.sites.vocabulary import SITE_KINDS, SITE_STATUSES

EDITABLE_FIELDS = (
    "code", "name", "kind", "park", "address", "area_m2", "land_mu", "floors", "ceiling_height_m",
    "floor_load_t_m2", "power_kva", "rent_yuan_m2_month", "price_wan", "note",
)
# Statuses a manager may set by hand; "reserved" needs a lead and goes through reserve_site.
MANUAL_STATUSES = ("available", "let", "sold")


class SiteError(Exception):
    """A site change the rules do not allow; `message` is shown to the user."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class ReservationRefused(SiteError):
    """Someone else holds the site (or just took it)."""


class SiteVersionConflict(SiteError):
    """Someone saved the site after the editor opened it."""


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _audit(site: Site, kind: str, *, by: User | None, field: str | None = None, old=None, new=None,
           lead_id: int | None = None, note: str | None = None) -> SiteEvent:
    event = SiteEvent(site_id=site.id, kind=kind, field=field, old_value=_text(old), new_value=_text(new),
                      lead_id=lead_id, note=note, user_id=by.id if by else None, at=utcnow())
    db.session.add(event)
    return event


def require_manager(by: User) -> None:
    if by is None or not by.is_manager:
        raise SiteError(_l("Only a manager can change the site inventory."))


def check_values(values: dict) -> None:
    """Rules across fields: a land plot has a size in mu, a building a floor area in m²."""
    kind = values.get("kind")
    if kind not in SITE_KINDS:
        raise SiteError(_l("Choose one of the listed options."), field="kind")
    if kind == "land_plot" and values.get("land_mu") is None:
        raise SiteError(_l("A land plot needs its area in mu."), field="land_mu")
    if kind != "land_plot" and values.get("area_m2") is None:
        raise SiteError(_l("A building needs its floor area in m²."), field="area_m2")
    if not (values.get("code") or "").strip():
        raise SiteError(_l("Enter the site code."), field="code")
    if not (values.get("park") or "").strip():
        raise SiteError(_l("Enter the park or area."), field="park")


def _code_taken(code: str, site_id: int | None = None) -> bool:
    query = select(Site.id).where(Site.code == code)
    if site_id is not None:
        query = query.where(Site.id != site_id)
    return db.session.scalar(query.limit(1)) is not None


def create_site(values: dict, *, by: User | None, status: str = "available", note: str | None = None) -> Site:
    """Add a site to the inventory (managers; None for the demo seed)."""
    if by is not None:
        require_manager(by)
    check_values(values)
    values = {k: v for k, v in values.items() if k in EDITABLE_FIELDS}
    values["code"] = values["code"].strip()
    if _code_taken(values["code"]):
        raise SiteError(_l("Another site already has the code %(code)s.", code=values["code"]), field="code")
    if status not in MANUAL_STATUSES:
        raise SiteError(_l("A new site is available, let or sold; reserve it for a lead afterwards."))
    site = Site(**values, status=status)
    db.session.add(site)
    db.session.flush()
    _audit(site, "created", by=by, field="status", new=status, note=note)
    db.session.flush()
    return site


def update_site(site: Site, changes: dict, *, by: User, expected_version: int | None) -> list[str]:
    """Apply edited fields, auditing each change; a stale `expected_version` changes nothing."""
    require_manager(by)
    if expected_version is None or int(expected_version) != site.version:
        raise SiteVersionConflict(_l("Someone else changed this site while you were editing it."))
    merged = {f: getattr(site, f) for f in EDITABLE_FIELDS} | {
        k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
    check_values(merged)
    if merged["code"] != site.code and _code_taken(merged["code"], site.id):
        raise SiteError(_l("Another site already has the code %(code)s.", code=merged["code"]), field="code")
    changed = []
    for name in EDITABLE_FIELDS:
        if name not in changes:
            continue
        old, new = getattr(site, name), changes[name]
        if same_value(old, new):
            continue
        setattr(site, name, new)
        _audit(site, "field", by=by, field=name, old=old, new=new)
        changed.append(name)
    if changed:
        db.session.flush()
    return changed


def set_status(site: Site, status: str, *, by: User, note: str | None = None) -> None:
    """A manager marks a site available, let or sold by hand (e.g. let to a tenant outside the CRM)."""
    require_manager(by)
    if status not in MANUAL_STATUSES:
        raise SiteError(_l("Reserve a site from a lead's page; it needs the lead and an expiry date."))
    if status == site.status:
        return
    old, old_lead = site.status, site.reserved_for_id
    result = db.session.execute(
        update(Site).where(Site.id == site.id, Site.version == site.version)
        .values(status=status, reserved_for_id=None, reserved_until=None, reserved_by_id=None, reserved_at=None,
                version=Site.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise SiteVersionConflict(_l("Someone else changed this site at the same moment; reload and try again."))
    _audit(site, "status", by=by, field="status", old=old, new=status, lead_id=old_lead, note=note)
    db.session.flush()
    db.session.expire(site)


# ---------------------------------------------------------------------------------------------------------
# Reservations
# ---------------------------------------------------------------------------------------------------------

def max_reservation_days() -> int:
    return int(current_app.config.get("SITE_RESERVATION_MAX_DAYS", 90))


def reserve_site(site_id: int, lead: Lead, *, by: User, until: date, today: date,
                 note: str | None = None) -> Site:
    """Reserve a site for a lead until `until`. Raises ReservationRefused if someone else holds it.

    A reservation that has expired is released first (crm/sites/expiry.py). Then one conditional UPDATE takes
    the site only if it is available. On PostgreSQL a second transaction waits on the row lock and then finds
    the site taken; on SQLite writers are serialised and the second finds it taken. Either way exactly one
    reservation wins.
    """
    from crm.leads.services import can_edit
    from crm.sites.expiry import release_expired_reservation

    if not can_edit(by, lead):
        raise SiteError(_l("You can only reserve sites for leads you own or unassigned ones."))
    if lead.stage not in OPEN_STAGES:
        raise SiteError(_l("Only an open lead can reserve a site."))
    if until < today:
        raise SiteError(_l("The reservation must end today or later."), field="until")
    if until > today + timedelta(days=max_reservation_days()):
        raise SiteError(_l("A reservation can last at most %(days)s days.", days=max_reservation_days()),
                        field="until")
    before = db.session.execute(
        select(Site.status, Site.reserved_for_id, Site.reserved_until, Site.reserved_by_id)
        .where(Site.id == site_id)).first()
    if before is None:
        raise SiteError(_l("This site does not exist."))
    if before.status == "reserved" and before.reserved_until < today:
        # Released by whoever gets there first (this call, or the nightly command): one history line either way.
        release_expired_reservation(site_id, before.reserved_for_id, before.reserved_until, today,
                                    before.reserved_by_id)
    now = utcnow()
    result = db.session.execute(
        update(Site)
        .where(Site.id == site_id, Site.status == "available")
        .values(status="reserved", reserved_for_id=lead.id, reserved_until=until, reserved_by_id=by.id,
                reserved_at=now, version=Site.version + 1, updated_at=now)
        .execution_options(synchronize_session=False))
    site = db.session.get(Site, site_id)
    db.session.expire(site)
    if result.rowcount != 1:
        db.session.refresh(site)
        if site.status == "reserved" and site.reserved_for_id == lead.id:
            raise ReservationRefused(_l("This site is already reserved for this lead."))
        raise ReservationRefused(_l("Site %(code)s was just taken by someone else (%(status)s); choose "
                                    "another site.", code=site.code, status=SITE_STATUSES.label(site.status)))
    _audit(site, "status", by=by, field="status", old="available", new="reserved", lead_id=lead.id,
           note=note or f"until {until.isoformat()}")
    db.session.flush()
    return site


def release_site(site: Site, *, by: User, note: str | None = None) -> None:
    """End a reservation: the site is available again."""
    from crm.leads.services import can_edit

    if site.status != "reserved":
        raise SiteError(_l("This site is not reserved."))
    lead = site.reserved_for
    if not (by.is_manager or (lead is not None and can_edit(by, lead))):
        raise SiteError(_l("Only the lead's owner or a manager can release this reservation."))
    lead_id = site.reserved_for_id
    result = db.session.execute(
        update(Site).where(Site.id == site.id, Site.status == "reserved", Site.reserved_for_id == lead_id)
        .values(status="available", reserved_for_id=None, reserved_until=None, reserved_by_id=None,
                reserved_at=None, version=Site.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ReservationRefused(_l("The reservation changed in the meantime; reload the page."))
    _audit(site, "status", by=by, field="status", old="reserved", new="available", lead_id=lead_id, note=note)
    db.session.flush()
    db.session.expire(site)


def sites_reserved_for(lead: Lead) -> list[Site]:
    return list(db.session.scalars(
        select(Site).where(Site.reserved_for_id == lead.id, Site.status == "reserved").order_by(Site.code)))


def mark_site_taken(site: Site, lead: Lead, project, *, by: User | None) -> bool:
    """A signed lead's reserved site becomes let (buildings) or sold (land) to its project.

    Only a site still reserved for this lead changes; returns False if someone released it meanwhile.
    """
    status = "sold" if site.kind == "land_plot" else "let"
    result = db.session.execute(
        update(Site).where(Site.id == site.id, Site.status == "reserved", Site.reserved_for_id == lead.id)
        .values(status=status, project_id=project.id, reserved_for_id=None, reserved_until=None,
                reserved_by_id=None, reserved_at=None, version=Site.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    _audit(site, "status", by=by, field="status", old="reserved", new=status, lead_id=lead.id,
           note=project.code)
    db.session.expire(site)
    return True


def take_sites_for_project(lead: Lead, project, *, by: User | None) -> list[Site]:
    """Mark every site reserved for `lead` as let or sold to `project`; returns the sites taken."""
    taken = [site for site in sites_reserved_for(lead) if mark_site_taken(site, lead, project, by=by)]
    db.session.flush()
    return taken


# ---------------------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------------------

KIND_SPELLINGS = {
    "standard_factory": "standard_factory", "standard factory": "standard_factory", "factory": "standard_factory",
    "标准厂房": "standard_factory", "厂房": "standard_factory",
    "land_plot": "land_plot", "land plot": "land_plot", "land": "land_plot", "土地": "land_plot",
    "地块": "land_plot", "工业用地": "land_plot",
    "office": "office", "办公": "office", "写字楼": "office", "办公楼": "office", "办公用房": "office",
}
STATUS_SPELLINGS = {
    "available": "available", "可用": "available", "待租": "available", "待售": "available", "空置": "available",
    "let": "let", "已租": "let", "已出租": "let", "sold": "sold", "已售": "sold", "已出让": "sold",
}


def import_columns() -> list[sheets.Column]:
    from crm.sites.vocabulary import SITE_FIELD_LABELS as L

    return [
        sheets.Column("code", L.label("code"), ("编号", "code", "site code", "房源编号"),
                      sheets.text(40, required=True)),
        sheets.Column("name", L.label("name"), ("名称", "name", "site name"), sheets.text(200), required=False),
        sheets.Column("kind", L.label("kind"), ("类型", "kind", "type"),
                      sheets.choice(KIND_SPELLINGS, required=True)),
        sheets.Column("park", L.label("park"), ("园区", "片区", "park", "area", "park/area"),
                      sheets.text(100, required=True)),
        sheets.Column("address", L.label("address"), ("地址", "address"), sheets.text(300), required=False),
        sheets.Column("area_m2", L.label("area_m2"), ("面积（㎡）", "面积(m²)", "面积（平方米）", "面积", "floor area",
                                                       "floor area m2", "area m2"),
                      sheets.decimal(2, 0, 10_000_000), required=False),
        sheets.Column("land_mu", L.label("land_mu"), ("占地（亩）", "面积（亩）", "亩", "land mu", "land (mu)"),
                      sheets.decimal(2, 0, 100_000), required=False),
        sheets.Column("floors", L.label("floors"), ("层数", "floors"), sheets.integer(0, 200), required=False),
        sheets.Column("ceiling_height_m", L.label("ceiling_height_m"), ("层高（米）", "层高", "净高",
                                                                        "ceiling height", "ceiling height m"),
                      sheets.decimal(2, 0, 100), required=False),
        sheets.Column("floor_load_t_m2", L.label("floor_load_t_m2"), ("承重（吨/㎡）", "承重", "荷载", "floor load",
                                                                      "floor load t/m2"),
                      sheets.decimal(2, 0, 100), required=False),
        sheets.Column("power_kva", L.label("power_kva"), ("电力（kVA）", "用电容量", "电力", "power", "power kva"),
                      sheets.integer(0, 10_000_000), required=False),
        sheets.Column("rent_yuan_m2_month", L.label("rent_yuan_m2_month"), (
            "租金（元/㎡/月）", "租金", "rent", "rent yuan/m2/month"), sheets.decimal(2, 0, 100_000), required=False),
        sheets.Column("price_wan", L.label("price_wan"), ("售价（万元）", "价格（万元）", "售价", "price",
                                                          "price 10k yuan"),
                      sheets.decimal(2, 0, 100_000_000), required=False),
        sheets.Column("status", L.label("status"), ("状态", "status"), sheets.choice(STATUS_SPELLINGS),
                      required=False),
        sheets.Column("note", L.label("note"), ("备注", "note", "notes"), sheets.text(2000), required=False),
    ]


@dataclass
class SiteImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # RowError, first Limits.max_errors
    error_rows: int = 0


class ImportRefused(Exception):
    """A file with invalid rows: nothing was imported. Carries the report (the caller rolls back)."""

    def __init__(self, report):
        super().__init__(f"{report.error_rows} invalid rows")
        self.report = report


def import_sites(source, filename: str, *, by: User, limits: sheets.Limits | None = None) -> SiteImportReport:
    """Create new sites and update existing ones (by code) from a spreadsheet, all or nothing.

    Raises SpreadsheetError for a refused file, ImportRefused (with the per-row report) if any row is
    invalid; the caller rolls back in both cases. Import never changes the status of an existing site.
    """
    require_manager(by)
    report = SiteImportReport()
    limits = limits or sheets.Limits(max_bytes=current_app.config.get("MAX_CONTENT_LENGTH") or 20 * 2**20)
    existing = {s.code: s for s in db.session.scalars(select(Site))}
    with sheets.open_table(source, filename, import_columns(), limits=limits,
                           unique_key=lambda v: v.get("code"),
                           duplicate_reason=_l("the same site code is already on row %(row)s")) as table:
        for row in table.rows():
            report.rows += 1
            errors = list(row.errors)
            values = row.values
            status = values.pop("status", None)
            site = existing.get(values.get("code"))
            if not errors:
                # Blank cells leave an existing site's value as it is.
                merged = values if site is None else {f: getattr(site, f) for f in EDITABLE_FIELDS} | {
                    k: v for k, v in values.items() if v is not None}
                try:
                    check_values(merged)
                except SiteError as err:
                    errors.append(sheets.RowError(row.number, None, str(err)))
            if not errors and site is not None and status and status != site.status:
                errors.append(sheets.RowError(row.number, None, str(_l(
                    "status changes of an existing site are made on its page, not by import"))))
            if errors:
                report.error_rows += 1
                report.errors.extend(errors[: max(0, limits.max_errors - len(report.errors))])
                continue
            if report.error_rows:
                continue  # the file is refused anyway; keep checking rows but write nothing more
            if site is None:
                existing[values["code"]] = create_site(values, by=by, status=status or "available",
                                                       note=f"import {filename}"[:200])
                report.created += 1
            else:
                changes = {k: v for k, v in values.items() if k in EDITABLE_FIELDS and v is not None}
                if update_site(site, changes, by=by, expected_version=site.version):
                    report.updated += 1
                else:
                    report.unchanged += 1
    if report.error_rows:
        raise ImportRefused(report)
    db.session.flush()
    return report
