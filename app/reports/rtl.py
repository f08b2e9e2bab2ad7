"""Arabic lines for a PDF: logical text wrapped to a width, then put in visual order.

ReportLab draws glyphs left to right as it is given them. An Arabic line is
therefore shaped first (``arabic_reshaper``: each letter's joined form, lam-alef
ligatures), then reordered by the Unicode bidi algorithm (``python-bidi``'s
``get_display``, base direction right to left) one line at a time, after the
text was wrapped in its logical order: reordering a whole paragraph and letting
ReportLab wrap it would put its end on the first line. Latin words, digits and
codes keep their own left-to-right order inside the line; an amount or a code
wrapped in ``isolate`` keeps its minus sign and punctuation where they belong.
"""

from __future__ import annotations

import re

import arabic_reshaper
from bidi import get_display
from reportlab.pdfbase.pdfmetrics import stringWidth

#: Left-to-right isolate ... pop directional isolate.
LRI, PDI = "\u2066", "\u2069"
_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def isolate(text: str) -> str:
    """``text`` kept as one left-to-right unit inside Arabic text ("-22.08", "ST-7K3Q9X")."""
    return f"{LRI}{text}{PDI}"


_MIRRORED = dict(zip("()[]{}<>«»", ")(][}{><»«", strict=True))
_LEVEL = re.compile(r"Level\(\s*(\d+),\s*\)")


def visual(line: str) -> str:
    """One logical Arabic line as drawn from left to right: shaped, then reordered by the
    bidi algorithm (rule L2), brackets at right-to-left levels mirrored (rule L4)."""
    shaped = arabic_reshaper.reshape(line)
    levels = embedding_levels(shaped)
    characters = [
        _MIRRORED.get(character, character) if level % 2 else character
        for character, level in zip(shaped, levels, strict=True)
    ]
    for level in range(max(levels, default=0), 0, -1):
        start = None
        for index in range(len(characters) + 1):
            inside = index < len(characters) and levels[index] >= level
            if inside and start is None:
                start = index
            elif not inside and start is not None:
                characters[start:index] = characters[start:index][::-1]
                levels[start:index] = levels[start:index][::-1]
                start = None
    return _CONTROLS.sub("", "".join(characters))


def embedding_levels(text: str) -> list[int]:
    """Each character's resolved level in a right-to-left paragraph (odd: right to left).

    python-bidi's ``get_display`` reorders but does not mirror brackets, so the levels
    are read from its ``debug`` answer (unicode-bidi's ``BidiInfo``: one level per byte
    of UTF-8) and the line is reordered here.
    """
    info = get_display(text, base_dir="R", debug=True)
    per_byte = [int(level) for level in _LEVEL.findall(info.split("paragraphs:")[0])]
    levels, offset = [], 0
    for character in text:
        levels.append(per_byte[offset])
        offset += len(character.encode("utf-8"))
    return levels


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` cut into logical lines that fit ``width`` points once shaped (greedy, by
    words; a word longer than the width stands alone on its line)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and _width(candidate, font, size) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


def visual_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` wrapped to ``width`` then each line in visual order."""
    return [visual(line) for line in wrap(text, font, size, width)]


def _width(text: str, font: str, size: float) -> float:
    return stringWidth(_CONTROLS.sub("", arabic_reshaper.reshape(text)), font, size)
