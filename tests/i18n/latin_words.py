"""Latin-script words on an Arabic page that the data does not hold: interface text left in
English (or French)."""

from __future__ import annotations

import re

from i18n.template_text import visible_texts
from sqlalchemy import String, Text, select

from app.extensions import db

_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+")
#: The same in every language: the brand, outside services, acronyms of labels, registries
#: and file formats, the currency's code, and each language's own name in the switcher.
ALLOWED_WORDS = frozenset(
    {
        *("Souk", "Tadamon", "Stripe", "MAD", "IGP", "AOP", "ONSSA", "ICE", "RIB", "ODCo"),
        *("QR", "CSV", "PDF", "JPEG", "PNG", "WebP", "Excel", "English", "Français"),
        # The codes an admin types as a fee rule's legal form (its field's help lists them).
        *("cooperative", "association", "mutual", "social_enterprise"),
    }
)


def data_words() -> set[str]:
    """Every Latin word held in a text column of any table (names, units, emails...)."""
    words: set[str] = set()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for value in row:
                if value:
                    words.update(_WORD.findall(str(value)))
    json_columns = [
        c for t in db.metadata.sorted_tables for c in t.columns if c.name == "translations"
    ]
    for column in json_columns:
        for value in db.session.scalars(select(column)):
            words.update(_WORD.findall(str(value or "")))
    return words


def latin_words_on(html: str, data: set[str]) -> set[str]:
    """Latin words of the page's visible text that neither the data nor ALLOWED_WORDS explain."""
    return latin_words_in(visible_texts(html), data)


def latin_words_in(texts, data: set[str]) -> set[str]:
    """Latin words of plain ``texts`` (a CSV's cells, a PDF's or an e-mail's lines) that
    neither the data nor ALLOWED_WORDS explain."""
    found = set()
    for text in texts:
        for token in text.split():
            # Codes (ST-7K3Q9X, B-12), addresses and links are not words.
            if re.search(r"[\d@/_]", token):
                continue
            found.update(
                word
                for word in _WORD.findall(token)
                if word not in data and word not in ALLOWED_WORDS
            )
    return found
