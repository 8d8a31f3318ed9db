"""The SVG chart module: well-formed, escaped, deterministic, readable without colour, and its CSV."""

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from markupsafe import Markup

from crm import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg):
    assert isinstance(svg, Markup) and isinstance(svg, str)
    return ET.fromstring(str(svg))


def _texts(svg) -> list[str]:
    return [t.text for t in _parse(svg).iter(f"{SVG}text")]


ALL = [
    lambda: charts.bar_chart([("网站表单", 12), ("Hotline", 7.5)], title="Sources"),
    lambda: charts.bar_chart([("A", (1, 2, 3))], series=["x", "y", "z"], horizontal=False),
    lambda: charts.funnel([("Enquiry", 100), ("Contacted", 50), ("Signed", 5)]),
    lambda: charts.line_chart([("s1", [0.1, None, 0.3]), ("s2", [0.2, 0.2, 0.2])], categories=["1", "2", "3"]),
    lambda: charts.timeline_bar([("P", [(date(2026, 1, 1), date(2026, 3, 1), "planned", "plan")])],
                                start=date(2026, 1, 1), end=date(2026, 12, 31), today=date(2026, 6, 1)),
]


@pytest.mark.parametrize("make", ALL)
def test_every_chart_is_well_formed_and_deterministic(make):
    first, second = make(), make()
    root = _parse(first)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert first == second


def test_bar_chart_writes_every_value_and_escapes_labels():
    svg = charts.bar_chart([("<script>alert(1)</script>", 3), ("热线", None)], title="A & B")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    texts = _texts(svg)
    assert "3" in texts and "—" in texts and "A & B" in texts


def test_series_differ_in_pattern_not_only_colour():
    svg = charts.bar_chart([("A", (1, 2, 3, 4))], series=["a", "b", "c", "d"])
    fills = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="14" fill="url\(#(\w+)-p(\d)\)"', svg)
    assert [index for _prefix, index in fills] == ["0", "1", "2", "3"]
    patterns = {p.get("id"): ET.tostring(p) for p in _parse(svg).iter(f"{SVG}pattern")}
    bodies = [re.sub(rb'fill="#\w+"', b"", body) for body in patterns.values()][:4]
    assert len(set(bodies)) == 4   # solid, hatched, dotted, crossed: distinct even with colour removed


def test_two_charts_on_one_page_keep_their_patterns_apart():
    one = charts.bar_chart([("A", 1)], title="one")
    two = charts.bar_chart([("A", 1)], title="two")
    ids = lambda svg: {p.get("id") for p in _parse(svg).iter(f"{SVG}pattern")}  # noqa: E731
    assert not ids(one) & ids(two)


def test_funnel_shows_counts_and_conversion_to_each_next_stage():
    texts = _texts(charts.funnel([("Enquiry", 200), ("Contacted", 50), ("Signed", 0)]))
    assert {"200", "50", "0"} <= set(texts)
    assert "↓ 25.0%" in texts and "↓ 0.0%" in texts
    texts = _texts(charts.funnel([("Enquiry", 0), ("Contacted", 0)], rate_format=lambda r: "n/a" if r is None else "?"))
    assert "↓ n/a" in texts


def test_line_chart_dashes_markers_and_gaps():
    svg = charts.line_chart([("one", [1, None, 3]), ("two", [2, 2, 2])], categories=["a", "b", "c"])
    paths = [p for p in _parse(svg).iter(f"{SVG}path") if p.get("fill") == "none"]
    assert paths[0].get("d").count("M") == 2          # the gap splits the first line
    assert paths[0].get("stroke-dasharray") != paths[1].get("stroke-dasharray")
    assert len(list(_parse(svg).iter(f"{SVG}rect"))) >= 3   # squares mark the second series


def test_timeline_bar_lanes_milestones_and_today():
    svg = charts.timeline_bar(
        [("Project", [(date(2026, 1, 1), date(2026, 3, 1), "planned", "plan"),
                      (date(2026, 2, 1), date(2026, 4, 1), "actual", "actual"),
                      (date(2026, 5, 1), date(2026, 5, 1), "planned", "start")])],
        start=date(2026, 1, 1), end=date(2026, 12, 31), today=date(2026, 6, 1),
        legend=[("Planned", "planned"), ("Actual", "actual")])
    root = _parse(svg)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "16"]
    assert len({b.get("y") for b in bars}) == 2          # planned and actual on their own lanes
    assert any(p.get("d", "").endswith("Z") for p in root.iter(f"{SVG}path"))   # milestone diamond
    assert any(line.get("stroke-dasharray") == "4 2" for line in root.iter(f"{SVG}line"))  # today
    assert "2026-01-01" in _texts(svg)


def test_empty_data_says_so():
    assert "Nothing" in _texts(charts.bar_chart([], title="t", empty_text="Nothing"))
    assert "Nothing" in _texts(charts.line_chart([("a", [None])], categories=["x"], empty_text="Nothing"))


def test_csv_text_is_excel_friendly_and_defuses_formulas():
    text = charts.csv_text(["月份", "Leads"], [["2026-01", 3], ["=HYPERLINK(1)", None], ["-5", 2.5]])
    assert text.startswith("\ufeff月份,Leads\r\n")
    assert "2026-01,3\r\n" in text
    assert "'=HYPERLINK(1),\r\n" in text
    assert "'-5,2.5\r\n" in text
