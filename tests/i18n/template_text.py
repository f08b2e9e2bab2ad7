"""What a reader sees in a Jinja template: its HTML text and human attributes.

A template is parsed with Jinja (so `{{ _("...") }}`, `{% trans %}` and macros are
understood), flattened back to HTML in source order with every expression replaced by a
placeholder, except literal strings that are output as they are, and then read with an
HTML parser. Whatever text with letters is left was written in the template and will
reach the reader untranslated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment, nodes

import app

TEMPLATE_DIR = Path(app.__file__).resolve().parent / "templates"

#: Attributes whose value is read (or heard through a screen reader) by people.
HUMAN_ATTRIBUTES = frozenset(
    {
        "alt",
        "title",
        "placeholder",
        "label",
        "aria-label",
        "aria-description",
        "aria-placeholder",
        "aria-roledescription",
        "aria-valuetext",
    }
)
#: Keyword arguments of macros and WTForms fields that end up as visible text.
HUMAN_KEYWORDS = frozenset({"help", "label", "title", "placeholder", "alt", "aria_label"})
#: Words that are the same in every language: the brand and names of outside services.
ALLOWED_WORDS = frozenset({"Souk", "Tadamon", "Stripe"})
GETTEXT_FUNCTIONS = frozenset({"_", "gettext", "ngettext", "pgettext", "npgettext"})

#: Stands for whatever an expression outputs (a value, a translated message).
PLACEHOLDER = "\ufffc"
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_SKIPPED_ELEMENTS = frozenset({"script", "style"})


@dataclass(frozen=True)
class UnmarkedString:
    template: str
    where: str  # "text", or "<tag attribute>", or "macro keyword"
    text: str


def unmarked_strings(environment: Environment, name: str) -> list[UnmarkedString]:
    """Every string with letters in template `name` that is shown without translation."""
    source = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    tree = environment.parse(source, name=name)
    flattened = _Flattener()
    flattened.visit_statements(tree.body)
    found = [
        UnmarkedString(name, f"{keyword} keyword", text) for keyword, text in flattened.keywords
    ]
    parser = _TextCollector()
    parser.feed("".join(flattened.parts))
    parser.close()
    found += [UnmarkedString(name, where, text) for where, text in parser.found]
    return [entry for entry in found if _needs_translation(entry.text)]


def visible_texts(html: str) -> list[str]:
    """The text nodes and human attribute values of a rendered page, whitespace collapsed."""
    parser = _TextCollector(report_all=True)
    parser.feed(html)
    parser.close()
    return [text for _where, text in parser.found]


def _needs_translation(text: str) -> bool:
    """Words with letters need translating; codes with digits (ST-7K3Q9X) and brands do not."""
    words = (word.strip(".,:;!?()«»\"'") for word in text.replace(PLACEHOLDER, " ").split())
    return any(
        _LETTER.search(word) and not _DIGIT.search(word) and word not in ALLOWED_WORDS
        for word in words
    )


class _Flattener:
    """The template's HTML in source order, every branch included."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.keywords: list[tuple[str, str]] = []

    def visit_statements(self, statements: list[nodes.Node]) -> None:
        for statement in statements:
            self.visit(statement)

    def visit(self, node: nodes.Node) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    self.parts.append(child.data)
                else:
                    self.parts.append(self.expression_text(child))
            return
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Stmt):
                self.visit(child)
            else:
                self.check_calls(child)

    def expression_text(self, node: nodes.Node) -> str:
        """What an output expression shows: literal strings themselves, anything else a
        placeholder. Calls are searched for human keyword arguments given as literals."""
        if isinstance(node, nodes.Const):
            return node.value if isinstance(node.value, str) else PLACEHOLDER
        if isinstance(node, nodes.CondExpr):
            otherwise = self.expression_text(node.expr2) if node.expr2 is not None else ""
            return f"{self.expression_text(node.expr1)} {otherwise}"
        if isinstance(node, nodes.Or | nodes.And):
            return f"{self.expression_text(node.left)} {self.expression_text(node.right)}"
        if isinstance(node, nodes.Concat):
            return "".join(self.expression_text(part) for part in node.nodes)
        if isinstance(node, nodes.Filter) and node.node is not None:
            self.check_calls(node)
            return self.expression_text(node.node)
        self.check_calls(node)
        return PLACEHOLDER

    def check_calls(self, node: nodes.Node) -> None:
        calls = [node] if isinstance(node, nodes.Call) else []
        calls += list(node.find_all(nodes.Call))
        for call in calls:
            if isinstance(call.node, nodes.Name) and call.node.name in GETTEXT_FUNCTIONS:
                continue
            for keyword in call.kwargs:
                value = keyword.value
                if (
                    keyword.key in HUMAN_KEYWORDS
                    and isinstance(value, nodes.Const)
                    and isinstance(value.value, str)
                ):
                    self.keywords.append((keyword.key, value.value))


class _TextCollector(HTMLParser):
    """Text nodes (outside script and style) and human attributes, whitespace collapsed."""

    def __init__(self, report_all: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._skipping: list[str] = []
        self._report_all = report_all

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_ELEMENTS:
            self._skipping.append(tag)
        attributes = dict(attrs)
        for attribute, value in attrs:
            shown = attribute in HUMAN_ATTRIBUTES or (
                attribute == "value"
                and tag == "input"
                and (attributes.get("type") or "").lower() in {"submit", "button", "reset"}
            )
            if shown and value:
                self._add(f"<{tag} {attribute}>", value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIPPED_ELEMENTS:
            self._skipping.pop()

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and tag == self._skipping[-1]:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._add("text", data)

    def _add(self, where: str, text: str) -> None:
        text = " ".join(text.split())
        if text and (self._report_all or _needs_translation(text)):
            self.found.append((where, text))


def template_names() -> Iterator[str]:
    """Every HTML template of the site (notification e-mails are written per language)."""
    for path in sorted(TEMPLATE_DIR.rglob("*.html")):
        yield path.relative_to(TEMPLATE_DIR).as_posix()
