"""The report charts (pygal, server side): well-formed SVG without script, named for screen
readers, every value written as text, long names cut with the whole name as a title, the
legend under the plot, and dates and amounts isolated left to right."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.money import format_money
from app.reports.charts import DAY_LABELS, LABEL_MAX, LRI, PDI, bar_chart, day_label, line_chart

SVG = "{http://www.w3.org/2000/svg}"
BIDI = re.compile("[\u2066-\u2069]")


def money(cents: int) -> str:
    return format_money(cents, "en")


def parse(svg) -> ET.Element:
    """Our own chart (not untrusted input), parsed to check it is well-formed."""
    return ET.fromstring(str(svg))  # noqa: S314


def texts(svg: ET.Element) -> list[str]:
    return [BIDI.sub("", node.text or "") for node in svg.iter(f"{SVG}text")]


#: Labels as people write them (no control characters, which XML cannot carry).
labels = (
    st.text(
        st.characters(
            blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp"), blacklist_characters="\ufffe\uffff"
        ),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(labels, st.integers(-(10**9), 10**9)), min_size=1, max_size=12))
def test_a_bar_chart_is_valid_svg_without_script_that_writes_every_bar(bars):
    svg = parse(bar_chart("Sales <by> province", bars, money, description="d"))
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Sales <by> province"
    assert not list(svg.iter(f"{SVG}script"))
    written = texts(svg)
    for label, value in bars:
        shown = label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"
        assert f"{shown} · {money(value)}" in written


def test_a_long_name_is_cut_with_an_ellipsis_and_kept_whole_in_its_title():
    name = "Association Ouzoud des femmes artisanes de la montagne"
    svg = parse(bar_chart("t", [(name, 38000), ("Amal", 1200)], money))
    label = next(node for node in svg.iter(f"{SVG}text") if "Ouzoud" in (node.text or ""))
    assert len(BIDI.sub("", label.text).split(" · ")[0]) <= LABEL_MAX
    assert "…" in label.text
    assert BIDI.sub("", label.find(f"{SVG}title").text) == f"{name} · 380.00 MAD"


def test_the_first_bar_is_drawn_at_the_top():
    svg = parse(bar_chart("t", [("First", 1), ("Second", 2)], money))
    ys = {BIDI.sub("", n.text).split(" · ")[0]: float(n.get("y")) for n in svg.iter(f"{SVG}text")
          if n.text and "·" in n.text}  # fmt: skip
    assert ys["First"] < ys["Second"]


def test_an_amount_beside_an_arabic_name_is_isolated_left_to_right():
    svg = parse(bar_chart("t", [("أزيلال", -1200)], money))
    label = next(node.text for node in svg.iter(f"{SVG}text") if node.text and "·" in node.text)
    assert f"{LRI}-12.00 MAD{PDI}" in label


def test_a_line_chart_puts_its_legend_under_the_plot_with_each_last_value():
    days = [date(2026, 11, 1) + timedelta(days=n) for n in range(30)]
    svg = parse(
        line_chart(
            "Fund",
            [day_label(day, "ar") for day in days],
            [("Revenue", list(range(30))), ("Fund", list(range(0, 60, 2)))],
            money,
        )
    )
    written = texts(svg)
    assert f"Revenue: {money(29)}" in written and f"Fund: {money(58)}" in written
    dates = [text for text in written if re.fullmatch(r"\d\d/\d\d", text)]
    assert 2 <= len(dates) <= DAY_LABELS
    assert not list(svg.iter(f"{SVG}script"))


def test_days_are_written_by_babel_in_the_readers_locale_inside_an_isolate():
    assert day_label(date(2026, 11, 4), "ar") == f"{LRI}04/11{PDI}"
    assert day_label(date(2026, 11, 4), "fr") == f"{LRI}04/11{PDI}"


def test_chart_text_is_escaped_and_stripped_of_what_xml_cannot_carry():
    svg = str(bar_chart("<script>", [("<b>x</b>\x1b", 1)], money))
    assert "<script>" not in svg and "<b>" not in svg and "\x1b" not in svg
    parse(svg)
