"""Report charts drawn by pygal on the server: SVG written into the page, no JavaScript.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and ``<desc>``, with every
value also written as text (in its bar's label, or in the legend for the last day of a
line), so it reads without colours and aloud; pages show the same figures in a table
beside it. Lines differ by dash pattern as well as colour.

Nothing overlaps or clips, whatever the names and the screen: the legend sits under the
plot, one entry a line; a bar's label is cut to ``LABEL_MAX`` characters with an ellipsis
(the whole name is its ``<title>``, shown on hover and read aloud) and pygal sizes the
margin to the longest label; the value axis of bars is not drawn (each bar writes its
value), and a line chart writes at most ``DAY_LABELS`` dates. The SVG scales as one
picture, so a phone shrinks it without moving anything.

Right to left: names and amounts written together are each isolated (U+2068/U+2066 ...
U+2069), so "-12,00" beside an Arabic name never becomes "12,00-". The SVG keeps its own
direction (``direction: ltr``) so that coordinates mean the same in every language, and
time runs left to right as on a calendar printed in Morocco. Dates are written by Babel in
the reader's locale, digits only ("04/11"), inside a left-to-right isolate (U+2066 ...
U+2069), so an Arabic axis never reorders them.
pygal's own ``<script>`` (its tooltips) is removed: the page's CSP allows no inline script.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from datetime import date

import pygal
from babel.dates import format_date
from markupsafe import Markup
from pygal.style import Style

# pygal adds a legacy import hook for its map plugins (pygal.maps.*, unused here) that has no
# find_spec: Python then warns (ImportWarning) at every import it is asked about. Take it out.
sys.meta_path[:] = [hook for hook in sys.meta_path if type(hook).__module__ != "pygal"]

SVG_NS = "http://www.w3.org/2000/svg"
#: Colour of each line (and of the bars), in turn; lines also differ by dash pattern.
COLOURS = ("#5b6b2f", "#8a3b12", "#2f5b6b")
DASHES = ("", "6,4", "2,3")
#: Longest bar label, in characters, before it is cut with an ellipsis.
LABEL_MAX = 28
#: Most dates written under a line chart.
DAY_LABELS = 6
WIDTH = 640
#: Left-to-right isolate, first-strong isolate, and their end (Unicode bidi controls, valid
#: in XML): a name keeps its own direction and an amount reads left to right beside it.
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"

ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

#: Characters XML 1.0 does not allow (C0 controls but tab and line breaks, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "en": "en"}

STYLE = Style(
    font_family="system-ui, 'Noto Sans Arabic', 'DejaVu Sans', sans-serif",
    background="transparent",
    plot_background="transparent",
    foreground="#2b2b2b",
    foreground_strong="#2b2b2b",
    foreground_subtle="#b9ad9c",
    colors=COLOURS,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    title_font_size=15,
    value_font_size=12,
    opacity=".85",
    opacity_hover=".95",
)


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def day_label(day: date, language: str) -> str:
    """A day for an axis, in the reader's locale ("04/11"), isolated left to right."""
    written = format_date(day, format="dd/MM", locale=_LOCALES.get(language, "en"))
    return f"{LRI}{written}{PDI}"


def _named(name: str, amount: str, separator: str) -> str:
    """ "name · amount", each isolated: an Arabic name never swallows the amount's minus."""
    return f"{FSI}{name}{PDI}{separator}{LRI}{amount}{PDI}"


def cut(label: str, limit: int = LABEL_MAX) -> str:
    """``label`` in at most ``limit`` characters, ending with an ellipsis when cut."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _config(**options) -> dict:
    return {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": False,
        "width": WIDTH,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 1,
        "truncate_legend": -1,
        "no_data_text": "—",  # the table beside the chart says there were no sales
        "margin": 12,
        "spacing": 10,
        **options,
    }


def _finish(chart, title: str, description: str, titles: dict[str, str]) -> Markup:
    """The rendered chart as one inline ``<svg role="img">``: no script, named for screen
    readers, with the whole text of each cut label as its ``<title>``."""
    root = ET.fromstring(chart.render(is_unicode=True))  # noqa: S314 (pygal's own output)
    for parent in list(root.iter()):
        for child in list(parent):
            # pygal's script, the <desc> data its script reads for tooltips and the axis
            # guides' titles: positions and raw values (0.1, 8.469...), which would read as
            # stray numbers with a dot in any language.
            guide_title = child.tag == f"{{{SVG_NS}}}title" and "guides" in parent.get("class", "")
            if guide_title or child.tag in (f"{{{SVG_NS}}}script", f"{{{SVG_NS}}}desc"):
                parent.remove(child)
    for default_title in root.findall(f"{{{SVG_NS}}}title"):  # pygal's "Pygal"
        root.remove(default_title)
    chart_id = root.get("id", "chart")
    root.set("role", "img")
    root.set("class", "chart pygal-chart")
    root.set("style", f"direction: ltr; max-inline-size: {WIDTH}px; inline-size: 100%")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    title_node = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{chart_id}-title"})
    title_node.text = _clean(title)
    desc_node = ET.Element(f"{{{SVG_NS}}}desc", {"id": f"{chart_id}-desc"})
    desc_node.text = _clean(description)
    root.insert(0, desc_node)
    root.insert(0, title_node)
    for text in root.iter(f"{{{SVG_NS}}}text"):
        whole = titles.get(text.text or "")
        if whole:
            ET.SubElement(text, f"{{{SVG_NS}}}title").text = whole
    # Our own SVG: every text in it went through ElementTree, which escapes it.
    # Plain <svg> with its xmlns, never "svg:svg" (another module, qrcode's SVG writer, may
    # register that prefix with ElementTree): HTML reads only unprefixed tags as SVG.
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
    root.set("xmlns", SVG_NS)
    return Markup(ET.tostring(root, encoding="unicode"))  # noqa: S704


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, int]],
    value_text: Callable[[int], str],
    *,
    description: str = "",
    rtl: bool = False,
) -> Markup:
    """Horizontal bars, one per ``(label, value)``, each labelled "name · value".

    Negative values grow the other way from the zero line. ``rtl`` lists the first bar at
    the top on Arabic pages as well.
    """
    labels, titles = [], {}
    for label, value in reversed(bars):  # pygal draws the first category at the bottom
        clean = _clean(label)
        shown = _named(cut(clean), value_text(value), " · ")
        labels.append(shown)
        if cut(clean) != clean:
            titles[shown] = _named(clean, value_text(value), " · ")
    chart = pygal.HorizontalBar(
        **_config(
            height=max(120, 40 + 30 * len(bars)),
            show_legend=False,
            # pygal swaps the axes of horizontal bars: x labels are the bars' names, drawn
            # up the side; the value axis (its "y") is left out, each label gives its value.
            show_x_labels=False,
            show_y_labels=True,
            truncate_label=-1,
            print_values=False,
        )
    )
    chart.x_labels = labels
    chart.add(_clean(title), [value for _label, value in reversed(bars)] or [None])
    del rtl  # the bars read top to bottom in every language
    return _finish(chart, title, description, titles)


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    value_text: Callable[[int], str],
    *,
    description: str = "",
    height: int = 300,
) -> Markup:
    """One line per ``(name, values)`` over ``x_labels`` (days, left to right), with a legend
    under the plot that gives each line's last value ("name: value")."""
    chart = pygal.Line(
        **_config(
            height=height,
            show_dots=len(x_labels) <= 1,
            show_minor_x_labels=False,
            x_labels_major_count=min(DAY_LABELS, max(1, len(x_labels))),
            truncate_label=-1,
            y_labels_major_count=4,
            show_minor_y_labels=False,
            value_formatter=lambda value: value_text(round(value)),  # axis steps are floats
            include_x_axis=True,
            max_scale=5,
        )
    )
    chart.x_labels = [_clean(label) for label in x_labels]
    for index, (name, values) in enumerate(series):
        legend = _named(_clean(name), value_text(values[-1]), ": ") if values else _clean(name)
        chart.add(
            legend,
            list(values),
            stroke_style={"width": 2, "dasharray": DASHES[index % len(DASHES)] or "0"},
        )
    return _finish(chart, title, description, {})
