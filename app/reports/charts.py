"""Small server-rendered SVG charts: horizontal bars and lines over days. No JavaScript.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and ``<desc>``,
with every value also written as text (next to its bar, or at the ends of a
line), so it reads without colours and aloud; pages show the same figures in
a table beside it. Lines differ by dash pattern as well as colour.

Right-to-left: the SVG fixes its own direction (``direction: ltr``) so that
coordinates mean the same in every language; a bar chart for an Arabic page
is drawn mirrored (``rtl=True``: labels on the right, bars growing leftwards),
while time always runs left to right, as on a calendar printed in Morocco.
Values are ints (centimes); pixel positions are computed in integers too.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

#: Colour and dash pattern of each line, in turn.
LINE_STYLES = (("#5b6b2f", ""), ("#8a3b12", "6 4"), ("#2f5b6b", "2 3"))
BAR_COLOUR = "#5b6b2f"
NEGATIVE_BAR_COLOUR = "#8a3b12"
FONT = 'font-family="system-ui, sans-serif" font-size="12"'

_ids = itertools.count(1)
#: Characters XML 1.0 does not allow (C0 controls but tab and line breaks, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> Markup:
    """``value`` escaped for SVG, without the characters XML cannot carry."""
    return escape(_NOT_XML.sub("", value))


def _head(width: int, height: int, title: str, description: str) -> tuple[str, str]:
    number = next(_ids)
    title_id, desc_id = f"chart-{number}-title", f"chart-{number}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'style="direction: ltr; max-inline-size: {width}px" '
        f'aria-labelledby="{title_id} {desc_id}" {FONT}>'
        f'<title id="{title_id}">{_text(title)}</title>'
        f'<desc id="{desc_id}">{_text(description)}</desc>'
    )
    return head, "</svg>"


def _scale(value: int, low: int, high: int, start: int, length: int) -> int:
    """Pixel position of ``value`` on an axis from ``low`` (at ``start``) to ``high``."""
    span = high - low or 1
    return start + (value - low) * length // span


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, int]],
    value_text: Callable[[int], str],
    *,
    description: str = "",
    rtl: bool = False,
    width: int = 640,
) -> Markup:
    """Horizontal bars, one per ``(label, value)``, each labelled and with its value written.

    Negative values grow the other way from the zero line, in another colour.
    """
    row, top = 26, 8
    height = top * 2 + row * max(1, len(bars))
    head, tail = _head(width, height, title, description)
    label_width, value_width = width * 3 // 10, width * 2 // 10
    bars_start, bars_length = label_width + 8, width - label_width - value_width - 16
    values = [value for _label, value in bars]
    low, high = min([0, *values]), max([0, *values])
    zero = _scale(0, low, high, bars_start, bars_length)
    parts = [head]
    for index, (label, value) in enumerate(bars):
        y = top + index * row
        tip = _scale(value, low, high, bars_start, bars_length)
        x, length = min(zero, tip), abs(tip - zero)
        colour = NEGATIVE_BAR_COLOUR if value < 0 else BAR_COLOUR
        label_x, label_anchor = label_width, "end"
        value_x, value_anchor = max(zero, tip) + 4, "start"
        if rtl:
            x = width - x - length
            label_x, label_anchor = width - label_width, "start"
            value_x, value_anchor = width - value_x, "end"
        parts.append(
            f'<text x="{label_x}" y="{y + 17}" text-anchor="{label_anchor}">{_text(label)}</text>'
            f'<rect x="{x}" y="{y + 4}" width="{max(length, 1)}" height="{row - 8}" '
            f'fill="{colour}"/>'
            f'<text x="{value_x}" y="{y + 17}" text-anchor="{value_anchor}">'
            f"{_text(value_text(value))}</text>"
        )
    parts.append(tail)
    # Every text that came from outside went through _text() above.
    return Markup("".join(parts))  # noqa: S704


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    value_text: Callable[[int], str],
    *,
    description: str = "",
    width: int = 640,
    height: int = 260,
) -> Markup:
    """One line per ``(name, values)`` over ``x_labels`` (days, left to right), with a legend.

    The axis shows its lowest and highest values and zero; the first and last
    labels of the x axis are written, and each line's last value at its end.
    """
    head, tail = _head(width, height, title, description)
    left, right, top, bottom = 8, width - 150, 28, height - 30
    every = [value for _name, values in series for value in values]
    low, high = min([0, *every]), max([0, *every])
    count = max(len(x_labels), 1)

    def x_of(index: int) -> int:
        return left + (index * (right - left) // (count - 1) if count > 1 else (right - left) // 2)

    def y_of(value: int) -> int:
        return bottom - _scale(value, low, high, 0, bottom - top)

    parts = [head]
    parts.append(
        f'<line x1="{left}" y1="{y_of(0)}" x2="{right}" y2="{y_of(0)}" stroke="#b9ad9c"/>'
        f'<text x="{right + 6}" y="{y_of(high) + 4}">{_text(value_text(high))}</text>'
        f'<text x="{right + 6}" y="{y_of(low) + 4}">{_text(value_text(low))}</text>'
    )
    if x_labels:
        parts.append(f'<text x="{left}" y="{height - 10}">{_text(x_labels[0])}</text>')
        if len(x_labels) > 1:
            parts.append(
                f'<text x="{right}" y="{height - 10}" text-anchor="end">'
                f"{_text(x_labels[-1])}</text>"
            )
    for index, (name, values) in enumerate(series):
        colour, dash = LINE_STYLES[index % len(LINE_STYLES)]
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        points = " ".join(f"{x_of(i)},{y_of(value)}" for i, value in enumerate(values))
        if points:
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="2"{dash_attribute}/>'
            )
        legend_y, legend_x = 14, left + index * 190
        legend = f"{name}: {value_text(values[-1])}" if values else name
        parts.append(
            f'<line x1="{legend_x}" y1="{legend_y - 4}" x2="{legend_x + 24}" y2="{legend_y - 4}" '
            f'stroke="{colour}" stroke-width="2"{dash_attribute}/>'
            f'<text x="{legend_x + 30}" y="{legend_y}">{_text(legend)}</text>'
        )
    parts.append(tail)
    # Every text that came from outside went through _text() above.
    return Markup("".join(parts))  # noqa: S704
