"""Codes stored for sites, and their labels."""

from flask_babel import lazy_gettext as _l

from crm.core.vocabulary import Vocabulary

SITE_KINDS = Vocabulary("site_kind", [
    ("standard_factory", _l("Standard factory")),
    ("land_plot", _l("Land plot")),
    ("office", _l("Office")),
])

SITE_STATUSES = Vocabulary("site_status", [
    ("available", _l("Available")),
    ("reserved", _l("Reserved")),
    ("let", _l("Let")),
    ("sold", _l("Sold")),
])

# The zone's parks and areas (ZONE.md); a site may name another, these are the suggestions.
PARKS = ("北部园区", "天易科技城", "五云峰片区", "石三门现代农业公园", "动力谷自主创新园", "新马工业园")

SITE_FIELD_LABELS = Vocabulary("site_field", [
    ("code", _l("Site code")),
    ("name", _l("Site name")),
    ("kind", _l("Site kind")),
    ("park", _l("Park / area")),
    ("address", _l("Address")),
    ("area_m2", _l("Floor area (m²)")),
    ("land_mu", _l("Land (mu)")),
    ("floors", _l("Floors")),
    ("ceiling_height_m", _l("Ceiling height (m)")),
    ("floor_load_t_m2", _l("Floor load (t/m²)")),
    ("power_kva", _l("Power (kVA)")),
    ("rent_yuan_m2_month", _l("Rent (yuan/m²/month)")),
    ("price_wan", _l("Price (10k yuan)")),
    ("status", _l("Site status")),
    ("reserved_for_id", _l("Reserved for")),
    ("reserved_until", _l("Reserved until")),
    ("project_id", _l("Project")),
    ("note", _l("Note")),
])
