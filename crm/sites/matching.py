"""Which available sites fit a lead, ranked, each with the reasons it fits or not.

What a lead states, and where it comes from (the Lead has no columns for building specifications):
- kind of site: from the lead's need (factory_rental → standard factory, land → land plot, office → office;
  investment → a land plot first, a standard factory also considered);
- area: `land_mu` for land plots, `floor_area_m2` for buildings, within ±SITE_MATCH_TOLERANCE (30%);
- ceiling height, floor load and power: read from the lead's intended use and message when an officer or the
  investor wrote them ("层高8米", "承重3吨/㎡", "用电500kVA", "ceiling 8 m", "power 800 kVA");
- budget: `budget_wan` against the sale price, or against a year's rent (rent × m² × 12) for buildings to let.

Ranking: sites that fail no stated requirement come first, then by score (share of the stated criteria met,
weighted: kind 30, area 30, each specification 10, budget 10), then by code.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from crm.extensions import db
from crm.sites.models import Site
from crm.sites.vocabulary import SITE_KINDS

# The site kinds each lead need looks for, best first.
WANTED_KINDS = {
    "factory_rental": ("standard_factory",),
    "land": ("land_plot",),
    "investment": ("land_plot", "standard_factory"),
    "office": ("office",),
}
WEIGHTS = {"kind": 30, "area": 30, "ceiling": 10, "load": 10, "power": 10, "budget": 10}

_NUMBER = r"(\d+(?:\.\d+)?)"
_CEILING = re.compile(r"(?:层高|净高|檐高|ceiling(?:\s*height)?|clear\s*height)[^\d]{0,8}?" + _NUMBER
                      + r"\s*(?:m\b|米|metres|meters)", re.IGNORECASE)
_LOAD = re.compile(r"(?:承重|荷载|楼面荷载|地面荷载|floor\s*load(?:ing)?)[^\d]{0,8}?" + _NUMBER
                   + r"\s*(吨|t\b|tonnes?|tons?|kg|公斤|千克|kn)", re.IGNORECASE)
_POWER = re.compile(r"(?:用电|电力|电容量|用电容量|变压器|power)[^\d]{0,8}?" + _NUMBER
                    + r"\s*(kva|千伏安|kw|千瓦)", re.IGNORECASE)


@dataclass
class Requirements:
    """What the lead needs from a site, as far as it says."""

    kinds: tuple[str, ...]
    land_mu: Decimal | None = None
    floor_area_m2: Decimal | None = None
    ceiling_height_m: Decimal | None = None
    floor_load_t_m2: Decimal | None = None
    power_kva: Decimal | None = None
    budget_wan: Decimal | None = None


@dataclass
class Reason:
    ok: bool | None  # True fits, False does not, None unknown or not stated
    text: str


@dataclass
class Match:
    site: Site
    score: int
    reasons: list[Reason] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return sum(1 for r in self.reasons if r.ok is False)

    @property
    def fits(self) -> bool:
        return self.failures == 0


def read_specifications(text: str) -> dict[str, Decimal]:
    """Ceiling height (m), floor load (t/m²) and power (kVA) written in free text, in Chinese or English."""
    found: dict[str, Decimal] = {}
    if not text:
        return found
    if match := _CEILING.search(text):
        found["ceiling_height_m"] = Decimal(match[1])
    if match := _LOAD.search(text):
        value, unit = Decimal(match[1]), match[2].lower()
        if unit in ("kg", "公斤", "千克"):
            value = value / 1000
        elif unit == "kn":
            value = (value / Decimal("9.8")).quantize(Decimal("0.01"))
        found["floor_load_t_m2"] = value
    if match := _POWER.search(text):
        found["power_kva"] = Decimal(match[1])  # kW taken as kVA: a zone officer's rule of thumb
    return found


def requirements_of(lead) -> Requirements:
    specs = read_specifications(" ".join(filter(None, (lead.intended_use, lead.message))))
    return Requirements(kinds=WANTED_KINDS.get(lead.kind, tuple(SITE_KINDS.codes)), land_mu=lead.land_mu,
                        floor_area_m2=lead.floor_area_m2, budget_wan=lead.budget_wan, **specs)


def tolerance() -> Decimal:
    return Decimal(str(current_app.config.get("SITE_MATCH_TOLERANCE", "0.30")))


def annual_rent_wan(site: Site) -> Decimal | None:
    """A year's rent in 万元 for a building to let: rent (元/m²/month) × m² × 12 ÷ 10,000."""
    if site.rent_yuan_m2_month is None or site.area_m2 is None:
        return None
    return (site.rent_yuan_m2_month * site.area_m2 * 12 / 10000).quantize(Decimal("0.1"))


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():,f}" if value == value.to_integral_value() else f"{value:,.2f}".rstrip("0")


def _score_area(site: Site, needs: Requirements, tol: Decimal) -> tuple[float | None, Reason]:
    if site.kind == "land_plot":
        need, have, unit = needs.land_mu, site.land_mu, "亩" if _zh() else "mu"
    else:
        need, have, unit = needs.floor_area_m2, site.area_m2, "m²"
    if not need:
        return None, Reason(None, str(_l("The lead states no area to compare.")))
    if have is None:
        return None, Reason(None, str(_l("The site's area is not recorded.")))
    deviation = (have - need) / need
    values = {"have": _fmt(have), "need": _fmt(need), "unit": unit,
              "pct": _fmt(abs(deviation * 100).quantize(Decimal("1"))), "tol": _fmt(tol * 100)}
    if abs(deviation) <= tol:
        closeness = 1 - float(abs(deviation) / tol) * 0.5  # within tolerance earns at least half
        return closeness, Reason(True, str(_l("%(have)s %(unit)s, within %(tol)s%% of the %(need)s %(unit)s "
                                              "needed", **values)))
    if deviation < 0:
        return 0.0, Reason(False, str(_l("%(have)s %(unit)s, %(pct)s%% smaller than the %(need)s %(unit)s "
                                         "needed", **values)))
    return 0.0, Reason(False, str(_l("%(have)s %(unit)s, %(pct)s%% larger than the %(need)s %(unit)s needed",
                                     **values)))


def _score_minimum(have, need, label_ok, label_short, label_unknown) -> tuple[float | None, Reason | None]:
    if need is None:
        return None, None
    values = {"have": _fmt(Decimal(have)) if have is not None else "", "need": _fmt(Decimal(need))}
    if have is None:
        return 0.0, Reason(None, str(label_unknown % values))
    if Decimal(have) >= Decimal(need):
        return 1.0, Reason(True, str(label_ok % values))
    return 0.0, Reason(False, str(label_short % values))


def _score_budget(site: Site, needs: Requirements) -> tuple[float | None, Reason | None]:
    if not needs.budget_wan:
        return None, None
    budget = needs.budget_wan
    if site.price_wan is not None:
        values = {"cost": _fmt(site.price_wan), "budget": _fmt(budget)}
        if site.price_wan <= budget:
            return 1.0, Reason(True, str(_l("Price %(cost)s (10k yuan) within the budget of %(budget)s", **values)))
        return 0.0, Reason(False, str(_l("Price %(cost)s (10k yuan) over the budget of %(budget)s", **values)))
    rent = annual_rent_wan(site)
    if rent is not None:
        values = {"cost": _fmt(rent), "budget": _fmt(budget)}
        if rent <= budget:
            return 1.0, Reason(True, str(_l("A year's rent of about %(cost)s (10k yuan) within the budget of "
                                            "%(budget)s", **values)))
        return 0.0, Reason(False, str(_l("A year's rent of about %(cost)s (10k yuan) over the budget of "
                                         "%(budget)s", **values)))
    return 0.0, Reason(None, str(_l("No price or rent recorded to compare with the budget.")))


def score_site(site: Site, needs: Requirements, tol: Decimal | None = None) -> Match:
    """How well one site fits; a pure function of the site and the requirements."""
    tol = tolerance() if tol is None else tol
    earned, possible, reasons = 0.0, 0, []
    if site.kind in needs.kinds:
        share = 1.0 if site.kind == needs.kinds[0] else 0.5
        earned += share * WEIGHTS["kind"]
        reasons.append(Reason(True, str(_l("%(kind)s, as needed", kind=SITE_KINDS.label(site.kind)))
                              if share == 1.0 else str(_l("%(kind)s: also suits this need",
                                                          kind=SITE_KINDS.label(site.kind)))))
    else:
        reasons.append(Reason(False, str(_l("%(kind)s does not suit this need", kind=SITE_KINDS.label(site.kind)))))
    possible += WEIGHTS["kind"]

    area, reason = _score_area(site, needs, tol)
    reasons.append(reason)
    if area is not None:
        earned += area * WEIGHTS["area"]
        possible += WEIGHTS["area"]

    if site.kind != "land_plot":  # a plot is built to order: specifications do not apply
        for key, have, need, ok, short, unknown in (
            ("ceiling", site.ceiling_height_m, needs.ceiling_height_m,
             _l("Ceiling %(have)s m (needs %(need)s m)"), _l("Ceiling %(have)s m, lower than the %(need)s m needed"),
             _l("Ceiling height not recorded; the lead needs %(need)s m")),
            ("load", site.floor_load_t_m2, needs.floor_load_t_m2,
             _l("Floor load %(have)s t/m² (needs %(need)s)"), _l("Floor load %(have)s t/m², below the %(need)s needed"),
             _l("Floor load not recorded; the lead needs %(need)s t/m²")),
            ("power", site.power_kva, needs.power_kva,
             _l("Power %(have)s kVA (needs %(need)s)"), _l("Power %(have)s kVA, below the %(need)s kVA needed"),
             _l("Power not recorded; the lead needs %(need)s kVA")),
        ):
            value, reason = _score_minimum(have, need, ok, short, unknown)
            if value is not None:
                earned += value * WEIGHTS[key]
                possible += WEIGHTS[key]
                reasons.append(reason)

    value, reason = _score_budget(site, needs)
    if value is not None:
        earned += value * WEIGHTS["budget"]
        possible += WEIGHTS["budget"]
        reasons.append(reason)
    return Match(site=site, score=round(100 * earned / possible) if possible else 0, reasons=reasons)


def rank(sites, needs: Requirements, tol: Decimal | None = None) -> list[Match]:
    """Sites ranked best first: no failed requirement, then score, then code."""
    matches = [score_site(site, needs, tol) for site in sites]
    return sorted(matches, key=lambda m: (m.failures, -m.score, m.site.code))


def candidate_sites(kinds: tuple[str, ...], today: date):
    """Sites a lead could take now: available, or reserved by someone whose reservation has expired."""
    return select(Site).where(
        Site.kind.in_(kinds),
        or_(Site.status == "available", and_(Site.status == "reserved", Site.reserved_until < today)))


def matches_for(lead, today: date, limit: int = 8) -> list[Match]:
    """The best available sites for a lead."""
    needs = requirements_of(lead)
    sites = db.session.scalars(candidate_sites(needs.kinds, today).order_by(Site.code).limit(2000))
    return rank(sites, needs)[:limit]


def _zh() -> bool:
    from flask_babel import get_locale

    locale = get_locale()
    return bool(locale) and locale.language == "zh"
