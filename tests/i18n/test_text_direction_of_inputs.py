"""Every text box says how its text runs: ``dir="auto"`` (the browser follows what is typed,
Arabic or French), ``dir="rtl"`` for an Arabic translation field, ``dir="ltr"`` for a code.

Without it, an Arabic name typed on a French page (or a French one on an Arabic page)
starts at the wrong edge and its punctuation lands at the wrong end. Every form reachable
by each kind of reader is checked, so a form added tomorrow is covered.
"""

from __future__ import annotations

from html.parser import HTMLParser

from flask import Flask
from i18n.conftest import Marketplace
from i18n.page_crawl import walk_as_every_reader

#: <input> types whose value is text a person types in a language.
TEXT_TYPES = {"text", "search", "email", "tel", "url", ""}


class _TextBoxes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.boxes: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "textarea" or (tag == "input" and found.get("type", "") in TEXT_TYPES):
            self.boxes.append({"tag": tag, **found})


def text_boxes(html: str) -> list[dict[str, str]]:
    parser = _TextBoxes()
    parser.feed(html)
    return parser.boxes


def test_text_boxes_are_told_their_direction_and_arabic_fields_run_right_to_left():
    boxes = text_boxes(
        '<input name="name"><input type="number" name="n"><textarea name="description_ar" '
        'dir="rtl"></textarea><input type="hidden" name="csrf_token">'
    )
    assert [box["name"] for box in boxes] == ["name", "description_ar"]


def test_every_text_input_and_textarea_of_every_form_has_a_direction(
    app: Flask, client, marketplace: Marketplace
) -> None:
    pages = walk_as_every_reader(app, client, marketplace, "ar")

    boxes = [
        (f"{reader} {page.path}", box)
        for reader, walked in pages.items()
        for page in walked
        for box in text_boxes(page.html)
    ]
    without = sorted({(where, box.get("name", "?")) for where, box in boxes if not box.get("dir")})
    arabic_not_rtl = sorted(
        {
            (where, box["name"])
            for where, box in boxes
            if box.get("name", "").endswith("_ar") and box.get("dir") != "rtl"
        }
    )

    assert without == []
    assert arabic_not_rtl == []
    assert len(boxes) > 50  # the walk reached the forms: search, checkout, profile, products
    assert any(box.get("name", "").endswith("_ar") for _where, box in boxes)
