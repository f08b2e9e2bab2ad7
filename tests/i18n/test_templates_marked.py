"""Every string a template shows is marked for translation.

Text between tags and attributes people read (alt, title, placeholder, aria-label, the
value of a submit button), as well as literal strings a template outputs or passes to a
macro as help or label, must go through `{{ _("...") }}` or `{% trans %}`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from i18n.template_text import template_names, unmarked_strings

TEMPLATES = list(template_names())


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_string_of_the_template_is_marked_for_translation(app: Flask, name: str) -> None:
    assert unmarked_strings(app.jinja_env, name) == []


def test_every_page_template_is_checked() -> None:
    assert "base.html" in TEMPLATES
    assert "storefront/catalog/product.html" in TEMPLATES
    assert len(TEMPLATES) > 40


def test_the_check_finds_unmarked_text_attributes_and_literals(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from i18n import template_text

    (tmp_path / "sample.html").write_text(
        """{% extends "base.html" %}{% block content %}
<h1>Hello {{ name }}</h1>
<p>{{ _("Marked") }} {% trans %}Marked too {{ name }}{% endtrans %} · 12 Souk Tadamon ST-7K3Q9X</p>
{% if photo %}<img alt="A jar of honey" src="x.jpg">{% else %}<span title="{{ _('Fine') }}">
{{ "Pending" if late else "Done" }}</span>{% endif %}
{{ field(form.name, help="Write the name") }}
<input type="submit" value="Send"><input type="hidden" name="next" value="cart">
<script>const label = "Not for people";</script>
{% macro badge() %}<em>Inside a macro</em>{% endmacro %}
{% endblock %}""",
        encoding="utf-8",
    )
    monkeypatch.setattr(template_text, "TEMPLATE_DIR", tmp_path)

    found = {(entry.where, entry.text) for entry in unmarked_strings(app.jinja_env, "sample.html")}

    assert found == {
        ("text", "Hello \ufffc"),
        ("<img alt>", "A jar of honey"),
        ("text", "Pending Done"),
        ("help keyword", "Write the name"),
        ("<input value>", "Send"),
        ("text", "Inside a macro"),
    }
