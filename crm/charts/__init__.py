"""Server-side SVG charts, shared by the dashboard pages and the PDF briefs.

Every function takes plain data (numbers already computed in SQL by the caller) and returns the chart
as an SVG string (a `markupsafe.Markup`, so Jinja inserts it as-is; it is still a `str`). Charts are
readable in grayscale: each series has its own fill pattern or line dash and marker, and every bar,
point and stage carries its value as text. No JavaScript, no external files, no fonts to fetch, so the
same SVG works inline in a page and inside a WeasyPrint PDF.

    bar_chart(rows, ...)       horizontal or vertical bars, one value or several series per label
    funnel(rows, ...)          stages of a funnel with the conversion between neighbours
    line_chart(series, ...)    one or more lines over shared categories (months, cohorts)
    timeline_bar(rows, ...)    segments along a date or number axis (milestones, a typical journey)
    csv_text(headers, rows)    the numbers behind a chart, as CSV that Excel opens in Chinese too

Labels are escaped here, so callers pass plain (translated) text. `value_format` is any callable turning
a number into display text, e.g. crm.core.formatting.number.
"""

import csv
import hashlib
import io
import math
from collections.abc import Callable, Sequence
from datetime import date, datetime

from markupsafe import Markup, escape

__all__ = ["bar_chart", "funnel", "line_chart", "timeline_bar", "csv_text", "SERIES_STYLES"]

FONT = "'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
INK = "#1f1f1f"
MUTED = "#6c757d"
GRID = "#d9d9d9"

# (fill colour, pattern) per series. Colours differ in lightness too, and the pattern tells series apart
# on a grayscale printout where the colours collapse.
SERIES_STYLES = (
    ("#1f4e79", "solid"),
    ("#9dc3e6", "hatch"),
    ("#f4b183", "dots"),
    ("#bfbfbf", "cross"),
    ("#548235", "solid"),
    ("#ffe699", "hatch"),
)
# Line dashes and point markers per series, for line charts.
LINE_DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")

# Named segment styles for timeline bars (a caller may also pass a series index).
TIMELINE_STYLES = {"planned": 1, "actual": 0, "late": 2, "open": 3}


def _fmt_default(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def _text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK and full-width characters take a full em, others a bit over half."""
    width = 0.0
    for char in str(text):
        width += size if ord(char) > 0x2E80 else size * 0.58
    return width


def _chart_id(kind: str, *parts) -> str:
    """A stable id prefix, so several charts on one page keep their pattern definitions apart."""
    digest = hashlib.sha1(repr((kind,) + parts).encode()).hexdigest()[:8]
    return f"c{kind[0]}{digest}"


def _defs(prefix: str) -> str:
    """Pattern fills for every series style."""
    out = ["<defs>"]
    for index, (colour, pattern) in enumerate(SERIES_STYLES):
        pid = f"{prefix}-p{index}"
        if pattern == "hatch":
            body = (f'<rect width="6" height="6" fill="{colour}"/>'
                    f'<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="{INK}" stroke-width="1"/>')
        elif pattern == "dots":
            body = (f'<rect width="6" height="6" fill="{colour}"/>'
                    f'<circle cx="3" cy="3" r="1.2" fill="{INK}"/>')
        elif pattern == "cross":
            body = (f'<rect width="6" height="6" fill="{colour}"/>'
                    f'<path d="M0,3 h6 M3,0 v6" stroke="{INK}" stroke-width="0.8"/>')
        else:
            body = f'<rect width="6" height="6" fill="{colour}"/>'
        out.append(f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">{body}</pattern>')
    out.append("</defs>")
    return "".join(out)


def _fill(prefix: str, index: int) -> str:
    return f"url(#{prefix}-p{index % len(SERIES_STYLES)})"


def _open(width: float, height: float, title: str, prefix: str, summary: str = "") -> list[str]:
    label = escape(title or summary)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{label}" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="{FONT}" font-size="12" fill="{INK}">',
        f"<title>{escape(title)}</title>",
    ]
    if summary:
        parts.append(f"<desc>{escape(summary)}</desc>")
    parts.append(_defs(prefix))
    if title:
        parts.append(f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>')
    return parts


def _close(parts: list[str]) -> Markup:
    parts.append("</svg>")
    return Markup("".join(parts))


def _empty(width: float, title: str, message: str, prefix: str) -> Markup:
    parts = _open(width, 60, title, prefix)
    parts.append(f'<text x="0" y="44" fill="{MUTED}">{escape(message)}</text>')
    return _close(parts)


def _nice_step(raw: float) -> float:
    """The smallest 'round' step (1, 2, 2.5, 5 × 10ⁿ) at or above `raw`."""
    if raw <= 0:
        return 1.0
    exponent = math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10 ** exponent
        if candidate >= raw * 0.9999:
            return float(candidate)
    return float(10 ** (exponent + 1))


def _axis(maximum: float, count: int = 4) -> tuple[float, list[float]]:
    """A round axis top at or above `maximum`, and its tick values (about `count` steps)."""
    step = _nice_step(maximum / count) if maximum > 0 else 0.25
    if 2 <= maximum < 4 and float(maximum).is_integer():
        step = 1.0  # small counts: whole-number ticks
    steps = max(1, math.ceil(maximum / step - 1e-9)) if maximum > 0 else 4
    return step * steps, [step * i for i in range(steps + 1)]


def _legend(parts: list[str], names: Sequence[str], prefix: str, x: float, y: float, *, lines: bool = False) -> None:
    """One swatch (or dash + marker) and name per series, in a row."""
    for index, name in enumerate(names):
        if lines:
            dash = LINE_DASHES[index % len(LINE_DASHES)]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<line x1="{x:.1f}" y1="{y - 4:.1f}" x2="{x + 22:.1f}" y2="{y - 4:.1f}" '
                         f'stroke="{SERIES_STYLES[index % len(SERIES_STYLES)][0]}" stroke-width="2"{dash_attr}/>')
            parts.append(_marker(MARKERS[index % len(MARKERS)], x + 11, y - 4, index))
            x += 28
        else:
            parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{_fill(prefix, index)}" '
                         f'stroke="{INK}" stroke-width="0.5"/>')
            x += 16
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}">{escape(name)}</text>')
        x += _text_width(name, 12) + 14


def _as_values(value) -> list:
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def bar_chart(rows: Sequence[tuple], *, series: Sequence[str] | None = None, title: str = "",
              value_format: Callable | None = None, horizontal: bool = True, width: int = 640,
              max_value: float | None = None, empty_text: str = "—", chart_id: str | None = None) -> Markup:
    """Bars per label, each bar labelled with its value.

    :param rows: (label, value) pairs; with `series`, (label, (value per series...)). None draws nothing.
    :param series: names of the series (shown as a legend) when each row carries several values.
    :param horizontal: bars grow to the right, labels on the left (best for long labels); False for
        columns (best for months).
    :param max_value: the axis maximum; by default a round number above the largest value.
    """
    fmt = value_format or _fmt_default
    rows = [(str(label), _as_values(value)) for label, value in rows]
    prefix = chart_id or _chart_id("bar", title, rows, tuple(series or ()))
    if not rows:
        return _empty(width, title, empty_text, prefix)
    n_series = max(len(values) for _, values in rows)
    numbers = [float(v) for _, values in rows for v in values if v is not None]
    top, ticks = _axis(max_value if max_value is not None else max(numbers + [0.0]))
    title_h = 26 if title else 4
    legend_h = 22 if series else 0
    parts: list[str]
    if horizontal:
        bar_h = 16
        gap = 8
        row_h = bar_h * n_series + gap
        label_w = min(max(_text_width(label, 12) for label, _ in rows) + 8, width * 0.4)
        value_w = max(_text_width(fmt(v), 11) for _, values in rows for v in values) + 10
        plot_x = label_w
        plot_w = max(width - label_w - value_w, 40)
        height = title_h + legend_h + row_h * len(rows) + 24
        parts = _open(width, height, title, prefix)
        if series:
            _legend(parts, series, prefix, 0, title_h + 14)
        top_y = title_h + legend_h + 4
        for tick in ticks:
            x = plot_x + plot_w * tick / top
            parts.append(f'<line x1="{x:.1f}" y1="{top_y:.1f}" x2="{x:.1f}" y2="{top_y + row_h * len(rows):.1f}" '
                         f'stroke="{GRID}" stroke-width="0.5"/>')
            parts.append(f'<text x="{x:.1f}" y="{height - 6:.1f}" font-size="10" fill="{MUTED}" '
                         f'text-anchor="middle">{escape(fmt(tick))}</text>')
        for row_index, (label, values) in enumerate(rows):
            y = top_y + row_index * row_h
            parts.append(f'<text x="{label_w - 6:.1f}" y="{y + row_h / 2 + 1:.1f}" text-anchor="end" '
                         f'dominant-baseline="middle">{escape(_clip(label, label_w - 6, 12))}</text>')
            for s, value in enumerate(values):
                by = y + s * bar_h
                length = 0.0 if value is None else plot_w * max(float(value), 0) / top
                if value is not None:
                    parts.append(f'<rect x="{plot_x:.1f}" y="{by:.1f}" width="{length:.1f}" height="{bar_h - 2}" '
                                 f'fill="{_fill(prefix, s)}" stroke="{INK}" stroke-width="0.5"/>')
                parts.append(f'<text x="{plot_x + length + 4:.1f}" y="{by + bar_h / 2:.1f}" font-size="11" '
                             f'dominant-baseline="middle">{escape(fmt(value))}</text>')
        parts.append(f'<line x1="{plot_x:.1f}" y1="{top_y:.1f}" x2="{plot_x:.1f}" '
                     f'y2="{top_y + row_h * len(rows):.1f}" stroke="{INK}" stroke-width="1"/>')
        return _close(parts)

    height = 260
    plot_top = title_h + legend_h + 16
    axis_w = max(_text_width(fmt(t), 10) for t in ticks) + 8
    plot_x = axis_w
    plot_w = width - axis_w - 4
    plot_h = height - plot_top - 40
    slot = plot_w / len(rows)
    bar_w = max(min(slot * 0.8 / n_series, 40), 3)
    parts = _open(width, height, title, prefix)
    if series:
        _legend(parts, series, prefix, 0, title_h + 14)
    base_y = plot_top + plot_h
    for tick in ticks:
        y = base_y - plot_h * tick / top
        parts.append(f'<line x1="{plot_x:.1f}" y1="{y:.1f}" x2="{width - 4:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="0.5"/>')
        parts.append(f'<text x="{plot_x - 4:.1f}" y="{y + 3:.1f}" font-size="10" fill="{MUTED}" '
                     f'text-anchor="end">{escape(fmt(tick))}</text>')
    for row_index, (label, values) in enumerate(rows):
        x0 = plot_x + row_index * slot + (slot - bar_w * len(values)) / 2
        for s, value in enumerate(values):
            x = x0 + s * bar_w
            length = 0.0 if value is None else plot_h * max(float(value), 0) / top
            if value is not None:
                parts.append(f'<rect x="{x:.1f}" y="{base_y - length:.1f}" width="{bar_w - 1:.1f}" '
                             f'height="{length:.1f}" fill="{_fill(prefix, s)}" stroke="{INK}" stroke-width="0.5"/>')
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{base_y - length - 3:.1f}" font-size="10" '
                         f'text-anchor="middle">{escape(fmt(value))}</text>')
        parts.append(f'<text x="{plot_x + row_index * slot + slot / 2:.1f}" y="{base_y + 14:.1f}" font-size="11" '
                     f'text-anchor="middle">{escape(_clip(label, slot, 11))}</text>')
    parts.append(f'<line x1="{plot_x:.1f}" y1="{base_y:.1f}" x2="{width - 4:.1f}" y2="{base_y:.1f}" '
                 f'stroke="{INK}" stroke-width="1"/>')
    return _close(parts)


def _clip(text: str, room: float, size: float) -> str:
    """Shorten a label with an ellipsis so it fits `room` pixels."""
    if _text_width(text, size) <= room:
        return text
    out = ""
    for char in text:
        if _text_width(out + char + "…", size) > room:
            break
        out += char
    return out + "…"


def funnel(rows: Sequence[tuple], *, title: str = "", value_format: Callable | None = None,
           rate_format: Callable | None = None, width: int = 640, empty_text: str = "—",
           chart_id: str | None = None) -> Markup:
    """Stages of a funnel as centred bars, widest first, with the conversion to each next stage.

    :param rows: (label, count) in funnel order. The conversion between neighbours is count[i+1] / count[i]
        (shown as "→ 42%"); pass `rate_format` to render it differently (it receives the fraction or None).
    """
    fmt = value_format or _fmt_default
    rate_fmt = rate_format or (lambda r: "—" if r is None else f"{r * 100:.1f}%")
    rows = [(str(label), value) for label, value in rows]
    prefix = chart_id or _chart_id("funnel", title, rows)
    if not rows:
        return _empty(width, title, empty_text, prefix)
    title_h = 26 if title else 4
    bar_h, gap = 28, 22
    label_w = min(max(_text_width(label, 12) for label, _ in rows) + 10, width * 0.3)
    rate_w = 70
    plot_x = label_w
    plot_w = width - label_w - rate_w
    top = max(float(v or 0) for _, v in rows) or 1.0
    height = title_h + len(rows) * (bar_h + gap)
    parts = _open(width, height, title, prefix)
    centre = plot_x + plot_w / 2
    previous = None
    for index, (label, value) in enumerate(rows):
        y = title_h + index * (bar_h + gap)
        length = max(plot_w * float(value or 0) / top, 2)
        style = index % 2  # alternate solid and hatched so neighbouring stages differ in grayscale
        parts.append(f'<rect x="{centre - length / 2:.1f}" y="{y:.1f}" width="{length:.1f}" height="{bar_h}" '
                     f'fill="{_fill(prefix, style)}" stroke="{INK}" stroke-width="0.5"/>')
        parts.append(f'<text x="{label_w - 6:.1f}" y="{y + bar_h / 2:.1f}" text-anchor="end" '
                     f'dominant-baseline="middle">{escape(_clip(label, label_w - 6, 12))}</text>')
        # The count sits on a white plate so it reads on any fill.
        text = fmt(value)
        plate_w = _text_width(text, 12) + 8
        parts.append(f'<rect x="{centre - plate_w / 2:.1f}" y="{y + bar_h / 2 - 9:.1f}" width="{plate_w:.1f}" '
                     f'height="18" rx="3" fill="#ffffff" fill-opacity="0.9"/>')
        parts.append(f'<text x="{centre:.1f}" y="{y + bar_h / 2:.1f}" text-anchor="middle" '
                     f'dominant-baseline="middle" font-weight="bold">{escape(text)}</text>')
        if index > 0:
            rate = (float(value or 0) / float(previous)) if previous else None
            parts.append(f'<text x="{width - rate_w + 6:.1f}" y="{y - gap / 2 + 4:.1f}" font-size="11" '
                         f'fill="{MUTED}">↓ {escape(rate_fmt(rate))}</text>')
        previous = value
    return _close(parts)


def _marker(shape: str, x: float, y: float, index: int) -> str:
    colour = SERIES_STYLES[index % len(SERIES_STYLES)][0]
    style = f'fill="{colour}" stroke="{INK}" stroke-width="0.8"'
    if shape == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" {style}/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f},{y - 4.5:.1f} L{x + 4.5:.1f},{y + 3.5:.1f} L{x - 4.5:.1f},{y + 3.5:.1f} Z" {style}/>'
    if shape == "diamond":
        return f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y:.1f} L{x:.1f},{y + 5:.1f} L{x - 5:.1f},{y:.1f} Z" {style}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.8" {style}/>'


def line_chart(series: Sequence[tuple], *, categories: Sequence[str], title: str = "",
               value_format: Callable | None = None, width: int = 640, height: int = 260,
               y_max: float | None = None, show_values: bool = True, empty_text: str = "—",
               chart_id: str | None = None) -> Markup:
    """Lines over shared categories; each series has its own dash and marker, and points carry values.

    :param series: (name, values) pairs; `values` line up with `categories`, None leaves a gap.
    :param categories: the x-axis labels (e.g. "2026-01").
    :param y_max: the axis maximum (e.g. 1.0 for rates); by default a round number above the data.
    """
    fmt = value_format or _fmt_default
    series = [(str(name), list(values)) for name, values in series]
    categories = [str(c) for c in categories]
    prefix = chart_id or _chart_id("line", title, series, categories)
    numbers = [float(v) for _, values in series for v in values if v is not None]
    if not categories or not numbers:
        return _empty(width, title, empty_text, prefix)
    top, ticks = _axis(y_max if y_max is not None else max(numbers))
    title_h = 26 if title else 4
    legend_h = 22 if len(series) > 1 else 0
    axis_w = max(_text_width(fmt(t), 10) for t in ticks) + 8
    plot_x, plot_top = axis_w + 14, title_h + legend_h + 12
    plot_w = width - plot_x - 20
    plot_h = height - plot_top - 36
    base_y = plot_top + plot_h
    parts = _open(width, height, title, prefix)
    if legend_h:
        _legend(parts, [name for name, _ in series], prefix, 0, title_h + 14, lines=True)
    for tick in ticks:
        y = base_y - plot_h * tick / top
        parts.append(f'<line x1="{plot_x:.1f}" y1="{y:.1f}" x2="{plot_x + plot_w:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="0.5"/>')
        parts.append(f'<text x="{plot_x - 4:.1f}" y="{y + 3:.1f}" font-size="10" fill="{MUTED}" '
                     f'text-anchor="end">{escape(fmt(tick))}</text>')
    step = plot_w / max(len(categories) - 1, 1)
    label_every = max(1, math.ceil(len(categories) * 44 / plot_w))

    def x_at(i: int) -> float:
        return plot_x + (i * step if len(categories) > 1 else plot_w / 2)

    for i, category in enumerate(categories):
        if i % label_every == 0:
            parts.append(f'<text x="{x_at(i):.1f}" y="{base_y + 14:.1f}" font-size="10" '
                         f'text-anchor="middle">{escape(category)}</text>')
    for index, (_name, values) in enumerate(series):
        colour = SERIES_STYLES[index % len(SERIES_STYLES)][0]
        dash = LINE_DASHES[index % len(LINE_DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        path, pen_down = [], False
        for i, value in enumerate(values[:len(categories)]):
            if value is None:
                pen_down = False
                continue
            y = base_y - plot_h * min(float(value), top) / top
            path.append(f"{'L' if pen_down else 'M'}{x_at(i):.1f},{y:.1f}")
            pen_down = True
        if path:
            parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        for i, value in enumerate(values[:len(categories)]):
            if value is None:
                continue
            y = base_y - plot_h * min(float(value), top) / top
            parts.append(_marker(MARKERS[index % len(MARKERS)], x_at(i), y, index))
            if show_values:
                parts.append(f'<text x="{x_at(i):.1f}" y="{y - 7:.1f}" font-size="9" '
                             f'text-anchor="middle">{escape(fmt(value))}</text>')
    parts.append(f'<line x1="{plot_x:.1f}" y1="{base_y:.1f}" x2="{plot_x + plot_w:.1f}" y2="{base_y:.1f}" '
                 f'stroke="{INK}" stroke-width="1"/>')
    return _close(parts)


def _position(value) -> float:
    if isinstance(value, datetime):
        return value.toordinal() + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, date):
        return float(value.toordinal())
    return float(value)


def timeline_bar(rows: Sequence[tuple], *, start, end, today=None, title: str = "",
                 legend: Sequence[tuple[str, str | int]] = (), axis_format: Callable | None = None,
                 ticks: Sequence = (), separate_styles: bool = True, width: int = 640,
                 empty_text: str = "—", chart_id: str | None = None) -> Markup:
    """Horizontal segments along a date (or number) axis: milestones planned vs actual, a typical journey.

    :param rows: (label, segments) pairs; each segment is (start, end, style, text) where start/end are
        dates, datetimes or numbers, style is a TIMELINE_STYLES name ("planned", "actual", "late", "open")
        or a series index, and text (may be "") is written inside or beside the segment. A segment whose
        start equals its end is drawn as a milestone diamond.
    :param start, end: the axis range. :param today: draws a dashed "today" line when given.
    :param legend: (name, style) pairs shown above the chart.
    :param separate_styles: give each style its own lane within a row (planned above actual); False
        draws all of a row's segments in one lane (consecutive stages of one journey).
    :param ticks: axis values to label; by default the start and end. :param axis_format: renders them
        (dates as yyyy-mm-dd by default).
    """
    def axis_text(value) -> str:
        if axis_format:
            return axis_format(value)
        if isinstance(value, date):
            return value.isoformat()[:10]
        return _fmt_default(value)

    rows = [(str(label), list(segments)) for label, segments in rows]
    prefix = chart_id or _chart_id("timeline", title, rows, str(start), str(end))
    lo, hi = _position(start), _position(end)
    if not rows or hi <= lo:
        return _empty(width, title, empty_text, prefix)

    def style_index(style) -> int:
        return style if isinstance(style, int) else TIMELINE_STYLES.get(style, 0)

    # Each style gets its own lane inside a row, so planned and actual bars never hide each other.
    lanes_of = []
    for _label, segments in rows:
        styles = []
        for segment in segments:
            index = style_index((tuple(segment) + ("", ""))[2]) if separate_styles else 0
            if index not in styles:
                styles.append(index)
        lanes_of.append(styles or [0])
    title_h = 26 if title else 4
    legend_h = 22 if legend else 0
    bar_h, row_pad = 18, 10
    label_w = min(max(_text_width(label, 12) for label, _ in rows) + 10, width * 0.35)
    plot_x, plot_w = label_w, width - label_w - 40
    top_y = title_h + legend_h + 6
    def x_at(value) -> float:
        return plot_x + plot_w * (min(max(_position(value), lo), hi) - lo) / (hi - lo)

    def fits(segment) -> bool:
        seg_start, seg_end, _style, text = (tuple(segment) + ("", ""))[:4]
        x1, x2 = x_at(seg_start), x_at(seg_end if seg_end is not None else seg_start)
        return not text or x2 - x1 < 0.5 or _text_width(text, 10) + 6 <= x2 - x1

    # Texts too long for their segment go under the row, alternating between two lines.
    callout_lines = [min(2, sum(1 for seg in segments if not fits(seg))) for _label, segments in rows]
    row_tops, y = [], top_y
    for lanes, lines in zip(lanes_of, callout_lines, strict=True):
        row_tops.append(y)
        y += bar_h * len(lanes) + row_pad + 13 * lines
    bottom = y
    height = bottom + 24
    parts = _open(width, height, title, prefix)

    if legend:
        x = 0.0
        for name, style in legend:
            parts.append(f'<rect x="{x:.1f}" y="{title_h + 4:.1f}" width="12" height="12" '
                         f'fill="{_fill(prefix, style_index(style))}" stroke="{INK}" stroke-width="0.5"/>')
            parts.append(f'<text x="{x + 16:.1f}" y="{title_h + 14:.1f}">{escape(name)}</text>')
            x += 16 + _text_width(name, 12) + 14
    for tick in (ticks or (start, end)):
        x = x_at(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{top_y:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="{GRID}" '
                     f'stroke-width="0.5"/>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 14:.1f}" font-size="10" fill="{MUTED}" '
                     f'text-anchor="middle">{escape(axis_text(tick))}</text>')
    for (label, segments), lanes, row_top in zip(rows, lanes_of, row_tops, strict=True):
        row_mid = row_top + bar_h * len(lanes) / 2
        parts.append(f'<text x="{label_w - 6:.1f}" y="{row_mid:.1f}" text-anchor="end" '
                     f'dominant-baseline="middle">{escape(_clip(label, label_w - 6, 12))}</text>')
        callout = 0
        lanes_bottom = row_top + bar_h * len(lanes)
        for segment in segments:
            seg_start, seg_end, style, text = (tuple(segment) + ("", ""))[:4]
            index = style_index(style)
            y = row_top + (lanes.index(index) if separate_styles else 0) * bar_h
            x1, x2 = x_at(seg_start), x_at(seg_end if seg_end is not None else seg_start)
            fill = _fill(prefix, index)
            if x2 - x1 < 0.5:
                cy = y + bar_h / 2
                parts.append(f'<path d="M{x1:.1f},{cy - 7:.1f} L{x1 + 7:.1f},{cy:.1f} L{x1:.1f},{cy + 7:.1f} '
                             f'L{x1 - 7:.1f},{cy:.1f} Z" fill="{fill}" stroke="{INK}" stroke-width="0.8"/>')
                if text:
                    parts.append(f'<text x="{x1 + 10:.1f}" y="{cy:.1f}" font-size="10" '
                                 f'dominant-baseline="middle">{escape(text)}</text>')
                continue
            parts.append(f'<rect x="{x1:.1f}" y="{y + 1:.1f}" width="{x2 - x1:.1f}" height="{bar_h - 2}" '
                         f'fill="{fill}" stroke="{INK}" stroke-width="0.5"/>')
            if text and fits(segment):
                tx, tw = (x1 + x2) / 2, _text_width(text, 10) + 4
                parts.append(f'<rect x="{tx - tw / 2:.1f}" y="{y + bar_h / 2 - 7:.1f}" width="{tw:.1f}" '
                             f'height="14" rx="2" fill="#ffffff" fill-opacity="0.85"/>'
                             f'<text x="{tx:.1f}" y="{y + bar_h / 2:.1f}" font-size="10" '
                             f'text-anchor="middle" dominant-baseline="middle">{escape(text)}</text>')
            elif text:
                ty = lanes_bottom + 9 + 13 * (callout % 2)
                tx = min(max((x1 + x2) / 2, plot_x + _text_width(text, 10) / 2), width - _text_width(text, 10) / 2)
                parts.append(f'<line x1="{(x1 + x2) / 2:.1f}" y1="{lanes_bottom:.1f}" x2="{(x1 + x2) / 2:.1f}" '
                             f'y2="{ty - 8:.1f}" stroke="{MUTED}" stroke-width="0.6"/>'
                             f'<text x="{tx:.1f}" y="{ty:.1f}" font-size="10" text-anchor="middle" '
                             f'dominant-baseline="middle">{escape(text)}</text>')
                callout += 1
    if today is not None and lo <= _position(today) <= hi:
        x = x_at(today)
        parts.append(f'<line x1="{x:.1f}" y1="{top_y - 4:.1f}" x2="{x:.1f}" y2="{bottom + 2:.1f}" stroke="{INK}" '
                     f'stroke-width="1.2" stroke-dasharray="4 2"/>')
    return _close(parts)


def csv_text(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    """The numbers behind a chart as CSV, starting with a byte-order mark so Excel reads Chinese labels.

    Numbers are written as plain digits (no thousands separators) so spreadsheets can sum them.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(h) for h in headers])
    for row in rows:
        writer.writerow(["" if value is None else _csv_value(value) for value in row])
    return out.getvalue()


def _csv_value(value) -> str:
    text = str(value)
    # A cell starting with = + - @ would run as a formula in Excel (CSV injection); numbers are safe.
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
