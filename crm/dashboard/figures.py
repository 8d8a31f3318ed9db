"""Dashboard sections as tables and charts: one description feeds the page, its SVG and its CSV download.

A Section holds raw values (numbers stay numbers) and a kind per column; the template formats them for
people, `csv_rows` writes them for spreadsheets.

Sections are computed once and cached for every reader (crm.dashboard.cache), yet a confidential lead's
company shows only to its circle. So a cell naming a lead holds a LeadName, not a string, and each request
turns those few cells into what its reader may see (`Page.for_reader`, `Section.for_reader`) after the cache.
"""

from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal

from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from crm import charts
from crm.core.formatting import local_date, money_wan
from crm.core.vocabulary import LEAD_SOURCES, STAGES
from crm.dashboard import sql
from crm.dashboard.queries import Dashboard
from crm.privacy.visibility import visible_company

# Column kinds: how a value is shown on the page (and written to CSV).
TEXT, COUNT, MONEY, PERCENT, DAYS, DATE = "text", "count", "money", "percent", "days", "date"

SECTIONS = ("funnel", "durations", "cohorts", "officers", "stale", "sources", "industries", "lost", "pipeline")


@dataclass(frozen=True)
class LeadName:
    """A lead's company as the cache keeps it: what crm.privacy.visibility needs to name the lead to any
    reader. Shown unresolved (str), it gives the codename of a confidential lead: the safe side."""

    id: int
    reference: str
    company_name: str
    codename: str | None
    is_confidential: bool
    owner_id: int | None
    sponsoring_leader_id: int | None

    @classmethod
    def of(cls, lead) -> "LeadName":
        return cls(lead.id, lead.reference, lead.company_name, lead.codename, bool(lead.is_confidential),
                   lead.owner_id, lead.sponsoring_leader_id)

    def for_reader(self, user) -> str:
        return visible_company(user, self)

    def __str__(self) -> str:
        return visible_company(None, self)


@dataclass
class Section:
    key: str
    title: str
    columns: list[tuple[str, str]]           # (header, kind)
    rows: list[list]
    chart: Markup | None = None
    note: str = ""
    links: list = field(default_factory=list)  # per row: a lead id to link the first cell to, or None

    def csv_rows(self) -> list[list]:
        out = []
        for row in self.rows:
            line = []
            for (_header, kind), value in zip(self.columns, row, strict=True):
                if kind == PERCENT and value is not None:
                    value = round(value * 100, 2)
                elif kind == MONEY and value is not None:
                    value = Decimal(value).quantize(Decimal("0.01"))
                elif kind == DATE and value is not None:
                    value = value.isoformat()[:10]
                line.append(value)
            out.append(line)
        return out

    def headers(self) -> list[str]:
        return [str(header) + (" (%)" if kind == PERCENT else "") for header, kind in self.columns]

    def for_reader(self, user) -> "Section":
        """This section with its lead names as `user` may see them (a copy: the cached one stays as it is)."""
        if not any(isinstance(value, LeadName) for row in self.rows for value in row):
            return self
        rows = [[value.for_reader(user) if isinstance(value, LeadName) else value for value in row]
                for row in self.rows]
        return replace(self, rows=rows)


def _zh() -> bool:
    locale = get_locale()
    return bool(locale) and locale.language == "zh"


def pct(value) -> str:
    return "—" if value is None else format_percent(value, format="#,##0.0%")


def count(value) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.##")


def days(value) -> str:
    return "—" if value is None else _("%(days)s d", days=format_decimal(value, format="#,##0.#"))


def show(value, kind: str) -> str:
    """A cell as people read it."""
    if kind == PERCENT:
        return pct(value)
    if kind == MONEY:
        return money_wan(value)
    if kind == COUNT:
        return count(value)
    if kind == DAYS:
        return days(value)
    if kind == DATE:
        return local_date(value)
    return "—" if value in (None, "") else str(value)


def _money_axis(value) -> str:
    return format_decimal(value, format="#,##0.#")


def funnel_section(data: Dashboard) -> Section:
    f = data.funnel
    conversions = f.total_conversions + [None]
    rows = [[STAGES.label(stage), n, rate] for stage, n, rate in zip(f.stages, f.totals, conversions, strict=True)]
    chart = charts.funnel([(STAGES.label(s), n) for s, n in zip(f.stages, f.totals, strict=True)],
                          title=_("Leads created in the period, by furthest stage reached"),
                          value_format=count, rate_format=pct)
    return Section("funnel", _("Funnel"), [(_l("Stage"), TEXT), (_l("Leads reaching it"), COUNT),
                                           (_l("Conversion to next stage"), PERCENT)], rows, chart,
                   note=_("Overall conversion, enquiry to signed: %(rate)s", rate=pct(f.overall)))


def cohorts_section(data: Dashboard) -> Section:
    f = data.funnel
    columns = [(_l("Month of enquiry"), TEXT)] + [(STAGES.label(s), COUNT) for s in f.stages]
    columns += [(_("%(a)s → %(b)s", a=STAGES.label(a), b=STAGES.label(b)), PERCENT)
                for a, b in zip(f.stages, f.stages[1:], strict=False)]
    rows = [[month] + counts + f.conversions(counts) for month, counts in f.cohorts]
    series = [(_("Reached %(stage)s", stage=STAGES.label(stage)),
               [(counts[i] / counts[0]) if counts[0] else None for _m, counts in f.cohorts])
              for i, stage in enumerate(f.stages) if i > 0]
    chart = charts.line_chart(series, categories=[m for m, _c in f.cohorts], y_max=1.0, value_format=pct,
                              show_values=len(f.cohorts) <= 6,
                              title=_("Share of each monthly cohort reaching each stage"),
                              empty_text=_("No enquiries in this period."))
    return Section("cohorts", _("Conversion by month of enquiry"), columns, rows, chart)


def durations_section(data: Dashboard) -> Section:
    rows = [[STAGES.label(t.stage), t.median_days, t.stays] for t in data.durations]
    segments, start = [], 0.0
    for index, t in enumerate(t for t in data.durations if t.stage != "on_hold"):
        if t.median_days:
            segments.append((start, start + t.median_days, index % 4,
                             f"{STAGES.label(t.stage)} {days(t.median_days)}"))
            start += t.median_days
    end = max(start, 1.0)
    step = charts_step(end)
    chart = charts.timeline_bar([(_("Typical lead"), segments)], start=0, end=end,
                                ticks=[step * i for i in range(int(end // step) + 1)],
                                axis_format=lambda v: days(v), separate_styles=False,
                                title=_("Median days in each open stage, one after the other"),
                                empty_text=_("No stage changes in this period.")) if segments else None
    return Section("durations", _("Median days in each stage"),
                   [(_l("Stage"), TEXT), (_l("Median days"), DAYS), (_l("Stays ended in the period"), COUNT)],
                   rows, chart, note=_("A stay runs from entering a stage to the next stage change."))


def charts_step(end: float) -> float:
    for step in (1, 2, 5, 7, 10, 14, 30, 60, 90, 180, 365):
        if end / step <= 8:
            return float(step)
    return float(round(end / 8))


def stale_section(data: Dashboard) -> Section:
    today = data.today
    rows, links = [], []
    for lead in data.stale.leads:
        touched = lead.last_activity_at or lead.created_at
        local_day = (touched + timedelta(minutes=sql.offset_minutes(today))).date()
        # The page is cached for every reader: the company is named per reader (Section.for_reader).
        rows.append([lead.reference, LeadName.of(lead), lead.owner.name if lead.owner else _("Unassigned"),
                     STAGES.label(lead.stage), local_day, (today - local_day).days])
        links.append(lead.id)
    return Section("stale", _("Stale leads"), [
        (_l("Reference"), TEXT), (_l("Company"), TEXT), (_l("Owner"), TEXT), (_l("Stage"), TEXT),
        (_l("Last touched"), DATE), (_l("Days idle"), COUNT)], rows, None,
        note=_("%(count)s open leads with no activity for %(days)s days or more; the longest idle are listed.",
               count=count(data.stale.count), days=data.stale.days), links=links)


def officers_section(data: Dashboard) -> Section:
    rows = [[row.user.name if row.user else _("Unassigned"), row.open_leads, row.activities_7d, row.overdue,
             row.stale, row.signed] for row in data.officers]
    chart = charts.bar_chart([(r[0], (r[1], r[2], r[3])) for r in rows],
                             series=[_("Open leads"), _("Activities, last 7 days"), _("Overdue actions")],
                             value_format=count, title=_("Workload and follow-up per officer"),
                             empty_text=_("No officers yet.")) if rows else None
    return Section("officers", _("Officers"), [
        (_l("Officer"), TEXT), (_l("Open leads"), COUNT), (_l("Activities, last 7 days"), COUNT),
        (_l("Overdue actions"), COUNT), (_l("Stale leads"), COUNT), (_l("Signed in the period"), COUNT)],
        rows, chart)


def _breakdown_section(key, title, label_header, items, labeller) -> Section:
    rows = [[labeller(item), item.leads, item.signed, item.investment_wan] for item in items]
    chart = charts.bar_chart([(r[0], (r[1], r[2])) for r in rows], series=[_("Leads"), _("Signed")],
                             value_format=count, title=title) if rows else None
    return Section(key, title, [(label_header, TEXT), (_l("Leads"), COUNT), (_l("Signed"), COUNT),
                                (_l("Planned investment"), MONEY)], rows, chart,
                   note=_("Leads created in the period."))


def sources_section(data: Dashboard) -> Section:
    return _breakdown_section("sources", _("Leads by source"), _l("Source"), data.sources,
                              lambda item: LEAD_SOURCES.label(item.code))


def industries_section(data: Dashboard) -> Section:
    def label(item):
        if item.code is None:
            return _("Not given")
        return (item.label_zh if _zh() else item.label_en) or item.code

    return _breakdown_section("industries", _("Leads by industry chain"), _l("Industry chain"), data.industries,
                              label)


def lost_section(data: Dashboard) -> Section:
    rows = [[item.reason or _("No reason given"), item.leads] for item in data.lost]
    chart = charts.bar_chart(rows, value_format=count, title=_("Why leads were lost in the period")) if rows else None
    return Section("lost", _("Lost reasons"), [(_l("Reason"), TEXT), (_l("Leads"), COUNT)], rows, chart,
                   note=_("The most frequent reasons, grouped as typed."))


def pipeline_section(data: Dashboard) -> Section:
    rows = [[item.month or _("No date"), item.leads, item.investment_wan, item.weighted_wan]
            for item in data.pipeline]
    chart = charts.bar_chart([(r[0], r[3]) for r in rows], horizontal=False, value_format=_money_axis,
                             title=_("Weighted pipeline (10k yuan) by expected signing month")) if rows else None
    return Section("pipeline", _("Weighted pipeline by expected signing month"), [
        (_l("Expected signing month"), TEXT), (_l("Leads"), COUNT), (_l("Planned investment"), MONEY),
        (_l("Weighted value"), MONEY)], rows, chart,
        note=_("Open and on-hold leads; planned investment × stage probability. The expected month is the "
               "month the next action is due (overdue: this month)."))


BUILDERS = {
    "funnel": funnel_section, "cohorts": cohorts_section, "durations": durations_section,
    "stale": stale_section, "officers": officers_section, "sources": sources_section,
    "industries": industries_section, "lost": lost_section, "pipeline": pipeline_section,
}


def sections(data: Dashboard) -> list[Section]:
    return [BUILDERS[key](data) for key in SECTIONS]


@dataclass
class Page:
    """What the dashboard page shows, as plain values (safe to keep in the cache between requests)."""

    sections: list[Section]
    leads: int
    signed: int
    overall: float | None
    stale: int
    live_leads: int
    weighted_wan: Decimal

    def for_reader(self, user) -> "Page":
        """The cached page as `user` may see it: only its lead names change, so this costs no query."""
        return replace(self, sections=[section.for_reader(user) for section in self.sections])


def page(data: Dashboard) -> Page:
    live, weighted = data.pipeline_total
    return Page(sections=sections(data), leads=data.funnel.totals[0], signed=data.funnel.totals[-1],
                overall=data.funnel.overall, stale=data.stale.count, live_leads=live, weighted_wan=weighted)
