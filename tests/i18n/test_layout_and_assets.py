"""Pages mirror themselves in Arabic, fit a phone, and fetch nothing from outside the site.

Direction comes from `dir` on <html> and from logical CSS properties (inline-start rather
than left): one physical property would put something on the wrong side in Arabic.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from i18n.template_text import TEMPLATE_DIR, template_names

STYLESHEET = TEMPLATE_DIR.parent / "static" / "site.css"
#: Left/right (and top/bottom) in a property name or as a value of text-align, float, clear.
PHYSICAL = re.compile(
    r"(?<![\w-])(?:margin|padding|border|inset)-(?:left|right|top|bottom)\b"
    r"|(?<![\w-])(?:left|right|top|bottom)\s*:"
    r"|(?<![\w-])(?:text-align|float|clear)\s*:\s*(?:left|right)\b"
    r"|border-(?:top|bottom)-(?:left|right)-radius"
)
#: The card form loads Stripe.js from Stripe, as Stripe requires; nothing else leaves the site.
ALLOWED_OUTSIDE = {("storefront/orders/pay.html", "https://js.stripe.com/v3/")}


#: Templates whose tables stay tables on a phone, and why. Any other table has the class
#: "stack" (one card per row under 600 px, site.css).
UNSTACKED = {
    "admin/": "admins work at a desk; a wide table scrolls inside its box",
    "storefront/fair_trade.html": "a heading and an amount per row: one card wide already",
    "storefront/orders/order.html": "where the money goes: a heading and an amount per row",
    "storefront/orders/checkout.html": "the total: a heading and an amount per row",
}
TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
CELL = re.compile(r"<td\b([^>]*)>(.*?)</td>", re.S)


def _declarations(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def test_the_stylesheet_uses_logical_properties_only() -> None:
    assert PHYSICAL.findall(_declarations(STYLESHEET.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize(
    "css",
    [
        "a { margin-left: 1rem }",
        "p { text-align: right; }",
        ".x { left: 0 }",
        "b { padding-top: 0 }",
    ],
)
def test_the_stylesheet_check_catches_physical_properties(css: str) -> None:
    assert PHYSICAL.findall(css)


def test_inline_styles_of_templates_use_logical_properties_only() -> None:
    found = {}
    for name in template_names():
        styles = re.findall(r'style="([^"]*)"', (TEMPLATE_DIR / name).read_text(encoding="utf-8"))
        bad = [style for style in styles if PHYSICAL.search(style)]
        if bad:
            found[name] = bad
    assert found == {}


def test_no_page_fetches_an_asset_from_outside_the_site() -> None:
    outside = re.compile(r"""(?:src|href|action|srcset)\s*=\s*["'](?:https?:)?//([^"']+)""")
    found = set()
    for name in template_names():
        source = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
        for match in outside.finditer(source):
            url = match.group(0).split("=", 1)[1].strip("\"' ")
            # Links people click are fine; only what the page loads by itself counts.
            tag_start = source.rfind("<", 0, match.start())
            tag = source[tag_start : tag_start + 8].lower()
            if tag.startswith("<a "):
                continue
            found.add((name, url))
    assert found <= ALLOWED_OUTSIDE
    css = STYLESHEET.read_text(encoding="utf-8")
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", css)
    assert "@import" not in css


def test_the_layout_declares_a_phone_viewport_and_the_reading_direction(client) -> None:
    arabic = client.get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    french = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)

    assert '<html lang="ar" dir="rtl">' in arabic
    assert '<html lang="fr" dir="ltr">' in french
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in arabic


def test_every_page_template_extends_the_layout_with_the_language_switcher() -> None:
    partials = {"base.html", "_macros.html", "_nav.html"}
    loose = [
        name
        for name in template_names()
        if name not in partials
        and not Path(name).name.startswith("_")
        and '{% extends "base.html" %}' not in (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    ]
    assert loose == []
    assert "language-switcher" in (TEMPLATE_DIR / "base.html").read_text(encoding="utf-8")


def test_every_photo_has_its_size_and_a_text_alternative() -> None:
    """Width and height let the browser keep the photo's place while it loads (no jumping
    text on a slow phone connection); alt says what it shows, or is empty for decoration."""
    missing = []
    for name in template_names():
        for tag in re.findall(r"<img\b[^>]*>", (TEMPLATE_DIR / name).read_text(encoding="utf-8")):
            if not all(f" {attribute}=" in tag for attribute in ("width", "height", "alt")):
                missing.append((name, tag))
    assert missing == []


def _table_problems(name: str, html: str) -> list[str]:
    """What keeps the tables of template ``name`` from reading on a 390 px phone."""
    problems = []
    exempt = next((reason for prefix, reason in UNSTACKED.items() if name.startswith(prefix)), "")
    for attributes, body in TABLE.findall(html):
        if re.search(r'class="[^"]*\bstack\b', attributes):
            # A card shows each cell's column by its data-label; a cell spanning the row, or
            # holding a form (its field's label or its button names it), needs none.
            problems += [
                f"{name}: a stacked cell without data-label: <td{cell}>"
                for cell, content in CELL.findall(body)
                if "data-label=" not in cell and "colspan=" not in cell and "<form" not in content
            ]
        elif not exempt:
            problems.append(f"{name}: <table{attributes}> is not stacked on a phone")
        elif not name.startswith("admin/"):
            rows = re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, re.S)
            if not all(
                row.count('<th scope="row"') == 1 and len(CELL.findall(row)) == 1 for row in rows
            ):
                problems.append(f"{name}: <table{attributes}> is wider than a heading and a value")
    return problems


def test_every_table_a_shopper_or_a_cooperative_reads_is_stacked_on_a_phone() -> None:
    problems = []
    for name in template_names():
        problems += _table_problems(name, (TEMPLATE_DIR / name).read_text(encoding="utf-8"))
    assert problems == []


@pytest.mark.parametrize(
    ("name", "html"),
    [
        ("storefront/x.html", "<table><tr><td>1</td><td>2</td></tr></table>"),
        ("storefront/x.html", '<table class="stack"><tr><td>1</td></tr></table>'),
        (
            "storefront/orders/order.html",
            '<table><tr><th scope="row">A</th><td>1</td><td>2</td></tr></table>',
        ),
    ],
)
def test_the_table_check_catches_a_table_cut_off_on_a_phone(name: str, html: str) -> None:
    assert _table_problems(name, html)
