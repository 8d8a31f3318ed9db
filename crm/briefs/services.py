"""Briefs as bytes: render templates/briefs/<kind>.html, then let WeasyPrint lay it out as PDF."""

import threading
from datetime import date, timedelta
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale, get_locale, to_user_timezone
from flask_babel import gettext as _
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from crm.briefs import fonts, queries
from crm.briefs.fetcher import StaticFilesFetcher
from crm.core import formatting
from crm.core.i18n import normalise_locale
from crm.core.vocabulary import STAGES
from crm.leads.stages import PIPELINE

KINDS = ("lead", "project", "pipeline")
_thread = threading.local()


def brief_locale(requested: str | None) -> str:
    """Briefs are Chinese unless English is asked for (?lang=en), whatever the reader's UI language."""
    return "en" if normalise_locale(requested or "") == "en" else "zh_CN"


def render_pdf(kind: str, **context) -> bytes:
    """Render templates/briefs/<kind>.html and turn it into a PDF. Needs an app (and request) context."""
    if kind not in KINDS:
        raise ValueError(f"unknown brief kind {kind!r}")
    static = Path(current_app.static_folder)
    font = fonts.font_path(current_app.config)
    html = render_template(f"briefs/{kind}.html", page_counter=page_counter_css(), css_string=css_string,
                           on_day=on_day, **context)
    fetcher = StaticFilesFetcher(folders=[static], files=[font])
    return HTML(string=html, base_url=str(static) + "/", url_fetcher=fetcher).write_pdf(
        stylesheets=[stylesheet(static, font, fetcher)], font_config=font_configuration())


def font_configuration() -> FontConfiguration:
    """This thread's WeasyPrint font configuration, kept between briefs.

    A new one per PDF re-reads Fontconfig's caches and loads the @font-face file again, which costs more
    than laying out a page; kept, the brief font is loaded once per worker thread. (Fontconfig and Pango
    objects are not shared between threads, hence one per thread.)
    """
    config = getattr(_thread, "font_config", None)
    if config is None:
        config = _thread.font_config = FontConfiguration()
    return config


def stylesheet(static: Path, font: Path | None, fetcher) -> CSS:
    """static/css/brief.css behind an @font-face rule for the brief font, parsed once per thread (again
    when the file changes). The font's file is chosen at run time, so its rule cannot sit in the file."""
    path = static / "css" / "brief.css"
    key = (str(path), path.stat().st_mtime_ns, str(font))
    cached = getattr(_thread, "stylesheet", None)
    if cached is None or cached[0] != key:
        face = f"@font-face {{ font-family: {fonts.FAMILY}; src: url({css_string(font.as_uri())}); }}\n" if font else ""
        css = CSS(string=face + path.read_text(encoding="utf-8"), base_url=str(path), url_fetcher=fetcher,
                  font_config=font_configuration())
        cached = _thread.stylesheet = (key, css)
    return cached[1]


def lead_brief(lead, *, reader, locale: str = "zh_CN") -> bytes:
    """The one- or two-page brief a leader reads before meeting this lead's investor."""
    with force_locale(locale):
        return render_pdf("lead", **queries.lead_brief_context(lead, reader=reader, language=_language()))


def pipeline_report(*, reader, locale: str = "zh_CN") -> bytes:
    """The weekly scheduling meeting's report: targets, funnel, key, stale and overdue leads, officers."""
    with force_locale(locale):
        context = queries.pipeline_context(reader=reader, language=_language())
        context["funnel_chart"] = funnel_chart(context["report"].funnel)
        return render_pdf("pipeline", **context)


def funnel_chart(rows) -> Markup:
    """Today's leads in each pipeline stage (and on hold), drawn by the dashboard's SVG chart module."""
    from crm import charts

    counts = {row.stage: row.count for row in rows}
    svg = charts.bar_chart([(STAGES.label(stage), counts.get(stage, 0)) for stage in PIPELINE + ("on_hold",)],
                           value_format=formatting.number, width=640, chart_id="brief-funnel")
    return in_brief_font(svg)


def in_brief_font(svg: str) -> Markup:
    """Draw a chart's text in the brief's embedded face instead of the chart module's system-font list,
    so the PDF embeds one font and never depends on what is installed."""
    from crm import charts

    font = getattr(charts, "FONT", None)
    if font:
        svg = str(svg).replace(f'font-family="{font}"', f'font-family="{fonts.FAMILY}"')
    return Markup(svg)


def project_brief(project, *, reader, locale: str = "zh_CN") -> bytes:
    """A project's figures, milestones and tax against its promise and the zone's median."""
    with force_locale(locale):
        context = queries.project_context(project, reader=reader, language=_language())
        brief = context["brief"]
        context.update(milestone_chart=milestone_chart(brief), tax_chart=tax_chart(brief),
                       per_mu_chart=per_mu_chart(brief))
        return render_pdf("project", **context)


def milestone_chart(brief) -> Markup | None:
    """Each milestone as two bars from the project's start: planned above, actual (or still open) below."""
    from crm import charts
    from crm.projects.vocabulary import MILESTONE_KINDS

    milestones = [m for m in brief.milestones if m.planned_on or m.actual_on]
    if not milestones:
        return None
    today = brief.today
    signed = brief.project.milestone("signed")
    origin = min(d for m in milestones for d in (m.planned_on, m.actual_on) if d)
    if signed and (signed.actual_on or signed.planned_on):
        origin = min(origin, signed.actual_on or signed.planned_on)
    end = max([today] + [d for m in milestones for d in (m.planned_on, m.actual_on) if d])
    end = end + timedelta(days=max(30, (end - origin).days // 12))
    rows = []
    for m in milestones:
        segments = []
        if m.planned_on:
            segments.append((origin, m.planned_on, "planned", formatting.local_date(m.planned_on)))
        if m.actual_on:
            segments.append((origin, m.actual_on, "late" if m.is_late(today) else "actual",
                             formatting.local_date(m.actual_on)))
        elif m.planned_on and m.planned_on < today:
            segments.append((origin, today, "open", _("not yet, %(days)s days late", days=m.days_late(today))))
        rows.append((MILESTONE_KINDS.label(m.kind), segments))
    ticks = [date(year, 1, 1) for year in range(origin.year + 1, end.year + 1)] or [origin, end]
    svg = charts.timeline_bar(
        rows, start=origin, end=end, today=today, ticks=ticks, axis_format=lambda d: str(d.year),
        legend=[(_("Planned date"), "planned"), (_("Actual, on time"), "actual"), (_("Actual, late"), "late"),
                (_("Not reached yet"), "open")],
        width=680, chart_id="brief-milestones")
    return in_brief_font(svg)


def tax_chart(brief) -> Markup | None:
    """Realised tax against the promised annual tax, year by year (万元)."""
    from crm import charts

    if not brief.tax_years:
        return None
    rows = [(str(year), (float(realised) if realised is not None else 0.0,
                         float(promised) if promised is not None else None))
            for year, realised, promised in brief.tax_years]
    svg = charts.bar_chart(rows, series=[_("Realised tax"), _("Promised tax")], horizontal=False,
                           value_format=formatting.number, width=680, chart_id="brief-tax")
    return in_brief_font(svg)


def per_mu_chart(brief) -> Markup | None:
    """This project's tax per mu beside the zone's median (万元 per mu, last full year)."""
    from crm import charts

    if brief.figures.tax_per_mu is None and brief.zone_median is None:
        return None
    rows = [(_("This project"), float(brief.figures.tax_per_mu) if brief.figures.tax_per_mu is not None else None),
            (_("Zone median"), float(brief.zone_median) if brief.zone_median is not None else None)]
    svg = charts.bar_chart(rows, value_format=formatting.number, width=680, chart_id="brief-per-mu")
    return in_brief_font(svg)


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "zh"


def on_day(moment) -> str:
    """The zone-calendar date of a UTC timestamp, without its time: a brief's columns are narrow."""
    if moment is None:
        return "—"
    return formatting.local_date(to_user_timezone(moment).date())


def css_string(text) -> Markup:
    """A CSS string literal for `content:` inside a <style> element (quotes, backslashes, '<' escaped)."""
    escaped = "".join(
        "\\" + ch if ch in '"\\' else f"\\{ord(ch):X} " if ch in "<>\n\r&" else ch for ch in str(text))
    return Markup(f'"{escaped}"')


def page_counter_css() -> Markup:
    """'Page 3 of 7' as a CSS content value with counters, in whatever word order the catalog uses."""
    text = _("Page %(page)s of %(pages)s", page="\x01", pages="\x02")
    parts = []
    for piece in text.replace("\x02", "\x00\x02\x00").replace("\x01", "\x00\x01\x00").split("\x00"):
        if piece == "\x01":
            parts.append("counter(page)")
        elif piece == "\x02":
            parts.append("counter(pages)")
        elif piece:
            parts.append(str(css_string(piece)))
    return Markup(" ".join(parts))
