"""The SVG charts: well-formed, named for screen readers, every value written as text, and
mirrored for Arabic pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from app.core.money import format_money
from app.reports.charts import bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def money(cents: int) -> str:
    return format_money(cents, "en")


def parse(svg) -> ET.Element:
    """Our own chart (not untrusted input), parsed to check it is well-formed."""
    return ET.fromstring(str(svg))  # noqa: S314


def texts(svg: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in svg.iter(f"{SVG}text")]


#: Labels as people write them (no control characters, which XML cannot carry).
labels = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
    min_size=1,
    max_size=20,
)


@given(st.lists(st.tuples(labels, st.integers(-(10**9), 10**9)), max_size=12))
def test_a_bar_chart_is_valid_svg_that_names_and_writes_every_bar(bars):
    svg = parse(bar_chart("Sales <by> province", bars, money, description="d"))
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Sales <by> province"
    written = texts(svg)
    for label, value in bars:
        assert label in written
        assert money(value) in written
    assert len(svg.findall(f"{SVG}rect")) == len(bars)
    width = int(svg.get("viewBox").split()[2])
    for rect in svg.iter(f"{SVG}rect"):
        assert int(rect.get("x")) >= 0 and int(rect.get("x")) + int(rect.get("width")) <= width


@given(
    st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=40),
    st.lists(st.integers(0, 10**9), min_size=1, max_size=40),
)
def test_a_line_chart_draws_each_series_and_writes_its_last_value(first, second):
    days = [f"day {n}" for n in range(max(len(first), len(second)))]
    first = (first * len(days))[: len(days)]
    second = (second * len(days))[: len(days)]
    svg = parse(line_chart("Fund", days, [("Revenue", first), ("Fund", second)], money))
    lines = svg.findall(f"{SVG}polyline")
    assert len(lines) == 2
    assert all(len(line.get("points").split()) == len(days) for line in lines)
    written = " ".join(texts(svg))
    assert f"Revenue: {money(first[-1])}" in written
    assert f"Fund: {money(second[-1])}" in written
    assert lines[0].get("stroke-dasharray") != lines[1].get("stroke-dasharray")


def test_an_arabic_bar_chart_puts_labels_on_the_right_and_grows_leftwards():
    bars = [("أزيلال", 38000), ("خنيفرة", 12000)]
    ltr = parse(bar_chart("t", bars, money))
    rtl = parse(bar_chart("t", bars, money, rtl=True))
    width = int(ltr.get("viewBox").split()[2])
    for left, right in zip(ltr.iter(f"{SVG}rect"), rtl.iter(f"{SVG}rect"), strict=True):
        assert int(right.get("x")) == width - int(left.get("x")) - int(left.get("width"))
    label = rtl.findall(f"{SVG}text")[0]
    assert int(label.get("x")) > width // 2 and label.get("text-anchor") == "start"
    assert "direction: ltr" in rtl.get("style")


def test_chart_text_is_escaped_and_stripped_of_what_xml_cannot_carry():
    svg = str(bar_chart("<script>", [("<b>x</b>\x1b", 1)], money))
    assert "<script>" not in svg and "<b>" not in svg and "\x1b" not in svg
    parse(svg)
