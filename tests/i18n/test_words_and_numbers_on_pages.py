"""Words and numbers read right in every language: no word said twice in a row ("Passée
Passée le…", "Paiement/Paiement"), and no decimal written with a dot on a French page
("94.8 %", "276.00" where French writes "94,8 %", "276,00").

Every page a visitor, a shopper, a member of a cooperative and an admin reach by links is
read in French and in Arabic (the crawl of i18n.page_crawl), and so are the pages no link
leads to: secret links, forms sent back with their messages, the messages shown after an
action and the confirmation steps (i18n.pages_beyond_links).
"""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from i18n.conftest import Marketplace
from i18n.page_crawl import walk_as_every_reader
from i18n.pages_beyond_links import read_pages_beyond_links

#: Words (letters of any script), numbers and punctuation, in order; spaces and "/" between
#: them are not tokens, so "Passée Passée" and "Paiement/Paiement" are one word twice, and
#: "déc. 2026 – 8 déc." or "Khénifra (Khénifra" are not. Arabic diacritics are not compared.
_TOKEN = re.compile(r"(?P<word>[^\W\d_][\w\u064b-\u0652\u0670'’-]*)|\d[\d.,]*|[^\w\s/]")
_DIACRITICS = re.compile(r"[\u064b-\u0652\u0670]")
#: Digits, a dot, digits: a decimal written the English way (not inside a longer code or path).
_DOT_DECIMAL = re.compile(r"(?<![\w./:-])\d+\.\d+(?![\w./-])")
#: A Latin word, then a colon with no space before it ("Ville: Ce champ"): French writes
#: "Ville : " (Arabic, quoted in a French page, writes its colon against the word).
_TIGHT_COLON = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][)»]?:(?=\s|$)")
#: Text not read as prose: code, and what scripts and styles hold.
_SKIPPED = frozenset({"script", "style", "code", "pre", "kbd", "samp"})
#: Elements that end a run of words: a doubled word across them is two separate things.
_BLOCKS = frozenset(
    {
        *("p", "div", "li", "ul", "ol", "dt", "dd", "tr", "td", "th", "table", "section"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "header", "footer", "nav", "main", "article"),
        *("form", "fieldset", "legend", "label", "option", "select", "button", "summary"),
        *("details", "br", "input", "textarea", "figure", "figcaption", "aside", "a"),
    }
)


class _Runs(HTMLParser):
    """The page's prose as runs of inline text (a paragraph, a cell, a link)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[str] = []
        self.current: list[str] = []
        self.skipping = 0

    def _end_run(self) -> None:
        text = " ".join(" ".join(self.current).split())
        if text:
            self.runs.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self._end_run()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self._end_run()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)

    def close(self) -> None:
        super().close()
        self._end_run()


def prose_runs(html: str) -> list[str]:
    parser = _Runs()
    parser.feed(html)
    parser.close()
    return parser.runs


def doubled_words(text: str) -> list[str]:
    """Each word that follows itself in `text` (case and Arabic diacritics aside)."""
    tokens = [
        _DIACRITICS.sub("", match["word"]).casefold() if match["word"] else None
        for match in _TOKEN.finditer(text)
    ]
    return [word for word, after in itertools.pairwise(tokens) if word and word == after]


def dot_decimals(text: str) -> list[str]:
    """Numbers written with a decimal dot in `text`, links and addresses aside."""
    kept = " ".join(token for token in text.split() if not re.search(r"[/@]|www\.", token))
    return _DOT_DECIMAL.findall(kept)


def tight_colons(text: str) -> list[str]:
    """Colons written against the word before them, the English way."""
    return _TIGHT_COLON.findall(text)


@pytest.mark.parametrize(
    ("text", "doubled"),
    [
        ("Passée Passée le 3 déc.", ["passée"]),
        ("Paiement/Paiement", ["paiement"]),
        ("مقدَّم مقدم في", ["مقدم"]),
        ("2 × 2 pots", []),
        ("Total : 45,00 DH", []),
        ("1 déc. 2026 – 8 déc. 2026", []),
        ("Béni Mellal, Béni Mellal", []),
    ],
)
def test_doubled_words_are_found(text: str, doubled: list[str]) -> None:
    assert doubled_words(text) == doubled


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("94.8 % des ventes", ["94.8"]),
        ("Total 276.00 DH", ["276.00"]),
        ("94,8 % et 276,00 DH", []),
        ("voir https://souk.example/v1.2/x", []),
        ("commande ST-1.2", []),
    ],
)
def test_dot_decimals_are_found(text: str, found: list[str]) -> None:
    assert dot_decimals(text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Ville: Ce champ est obligatoire.", ["e:"]),
        ("Montant à payer: 45,00 DH", ["r:"]),
        ("Ville\u00a0: Ce champ", []),
        ("Retrait à 10:30, voir https://souk.example", []),
    ],
)
def test_colons_against_their_word_are_found(text: str, found: list[str]) -> None:
    assert tight_colons(text) == found


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_no_page_says_a_word_twice_or_writes_a_french_decimal_or_colon_the_english_way(
    app: Flask, client, marketplace: Marketplace, language: str, stripe_settings
) -> None:
    pages = walk_as_every_reader(app, client, marketplace, language)
    beyond = read_pages_beyond_links(app, client, marketplace, language)
    beyond_pages = [page for walked in beyond.values() for page in walked]
    pages = {reader: pages.get(reader, []) + beyond.get(reader, []) for reader in {*pages, *beyond}}

    doubled, dotted, colons = {}, {}, {}
    for reader, walked in pages.items():
        for page in walked:
            runs = prose_runs(page.html)
            if found := [run for run in runs if doubled_words(run)]:
                doubled[f"{reader} {page.path}"] = found
            if language == "fr" and (found := [run for run in runs if dot_decimals(run)]):
                dotted[f"{reader} {page.path}"] = found
            if language == "fr" and (found := [run for run in runs if tight_colons(run)]):
                colons[f"{reader} {page.path}"] = found

    assert doubled == {}
    assert dotted == {}
    assert colons == {}
    reached = {page.endpoint for walked in pages.values() for page in walked}
    assert {"storefront.order", "dashboard.statement", "admin.reports"} <= reached
    assert {
        *("accounts.verify_email", "accounts.reset_password", "storefront.guest_order"),
        *("dashboard.invitation", "storefront.pay_order", "storefront.cooperative_applied"),
        *("confirmation of storefront.confirm_order_part", "confirmation of admin.run_payouts"),
        *("confirmation of dashboard.order_part_cash", "confirmation of admin.end_fee_rule"),
    } <= reached
    flashed = [page for page in beyond_pages if 'class="flash flash-' in page.html]
    assert len(flashed) >= 6  # the messages after the forms: sent, added, moved, proposed...
