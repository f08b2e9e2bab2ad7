"""English messages of the catalog found in a page's visible text."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from i18n.template_text import visible_texts

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"


@cache
def _english_messages(language: str) -> list[tuple[str, int, re.Pattern]]:
    """Each English msgid whose translation differs, as a pattern of the text it shows."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    patterns = []
    for message in catalog:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in english:
            if text in translated or not re.search(r"[A-Za-z]{2}", text):
                continue
            pieces = re.split(r"%\(\w+\)[sd]", text.replace("%%", "%"))
            pattern = ".+?".join(
                r"\s+".join(map(re.escape, re.split(r"\s+", piece))) for piece in pieces
            )
            words = sum(len(piece.split()) for piece in pieces)
            # Whole words only: "Stand" must not match inside a product's name "Standard".
            patterns.append((text, words, re.compile(rf"(?<![\w]){pattern}(?![\w])")))
    return patterns


def english_messages_on(html: str, language: str) -> list[str]:
    """The English msgids (translated differently into `language`) that the page shows."""
    texts = visible_texts(html)
    found = []
    for english, words, pattern in _english_messages(language):
        for text in texts:
            # One word ("Stock", "%(num)d cooperative") counts only as the whole text: a
            # name or a code that the data holds may contain it.
            hit = pattern.fullmatch(text) if words <= 1 else pattern.search(text)
            if hit:
                found.append(f"{english!r} in {text!r}")
    return found
