"""The SVG charts: geometry worked out by hand, labels escaped, empty data handled."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from trainproof.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # also proves the markup is well-formed XML


def test_bar_chart_geometry_and_escaping() -> None:
    svg = charts.bar_chart(
        [charts.Bar("R&D <Lab>", 50.0), charts.Bar("Sales", 100.0), charts.Bar("Ops", 0.0)],
        title="Completion",
        width=680,
        label_width=200,
    )
    root = parse(svg)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "tp-bar"]
    # Plot width = 680 - 200 - 70 = 410: 50 % is 205 px, 100 % is 410 px, 0 % still shows a 1.5 px sliver.
    assert [float(b.get("width", "0")) for b in bars] == [205.0, 410.0, 1.5]
    assert [b.get("fill") for b in bars] == ["#D55E00", "#009E73", "#D55E00"]  # red below 70 %, green from 90 %
    assert "R&amp;D &lt;Lab&gt;" in svg
    assert "<Lab>" not in svg
    assert root.get("viewBox") == f"0 0 680 {28 + 3 * 30 + 4}"


def test_count_bars_scale_to_the_largest() -> None:
    svg = charts.bar_chart(
        [charts.Bar("a", 4), charts.Bar("b", 2)], title="People", unit="", width=480, label_width=100
    )
    widths = [float(w) for w in re.findall(r'class="tp-bar" x="100" y="\d+" width="([\d.]+)"', svg)]
    assert widths == [310.0, 155.0]  # 480 - 100 - 70 = 310 for the largest


def test_stacked_chart_splits_each_row() -> None:
    svg = charts.stacked_chart(
        [charts.StackedRow("T", [charts.Segment("compliant", 3, "#0f0"), charts.Segment("incomplete", 1, "#f00")])],
        title="States",
        width=420,
        label_width=200,
    )
    widths = [float(w) for w in re.findall(r'class="tp-bar" x="[\d.]+" y="\d+" width="([\d.]+)"', svg)]
    assert widths == [150.0, 50.0]  # plot 200 px: 3/4 and 1/4
    parse(svg)


def test_line_chart_points_and_gaps() -> None:
    svg = charts.line_chart(
        ["Q1", "Q2", "Q3", "Q4"],
        [charts.Series("rate", [0.0, 100.0, None, 50.0])],
        title="Trend",
        width=464,
        height=262,
    )
    root = parse(svg)
    points = [(float(c.get("cx", "0")), float(c.get("cy", "0"))) for c in root.iter(f"{SVG}circle")]
    # x from 48 to 432 (464 - 32) in thirds; y: top 16, plot height 262 - 16 - 46 = 200 -> 0 % at 216, 100 % at 16.
    assert points == [(48.0, 216.0), (176.0, 16.0), (432.0, 116.0)]
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 1  # the gap at Q3 breaks the line; a lone point after it is a dot only


def test_empty_charts_say_no_data() -> None:
    for svg in (
        charts.bar_chart([], title="x"),
        charts.stacked_chart([], title="x"),
        charts.line_chart(["Q1"], [charts.Series("s", [None])], title="x"),
    ):
        assert "no data" in svg
        parse(svg)
