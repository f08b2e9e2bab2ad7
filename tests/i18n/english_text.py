"""English messages of the catalog found in a page's visible text."""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from i18n.template_text import visible_texts

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"


#: Between two visible texts of a page joined into one string: neither a word character, nor
#: white space, nor matched by a placeholder's gap, so no message is found across two texts.
_BETWEEN = "\x00"


@dataclass(frozen=True)
class _Messages:
    """The English msgids to look for: one-word ones without placeholder by their text, every
    other one as a pattern (one-word patterns must match a whole visible text)."""

    single_words: dict[str, str]
    whole_text_patterns: list[tuple[str, re.Pattern]]
    patterns: list[tuple[str, re.Pattern]]


@cache
def _english_messages(language: str) -> _Messages:
    """Each English msgid whose translation differs, as a pattern of the text it shows."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    messages = _Messages({}, [], [])
    for message in catalog:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in english:
            if text in translated or not re.search(r"[A-Za-z]{2}", text):
                continue
            pieces = re.split(r"%\(\w+\)[sd]", text.replace("%%", "%"))
            pattern = f"[^{_BETWEEN}]+?".join(
                r"\s+".join(map(re.escape, re.split(r"\s+", piece))) for piece in pieces
            )
            words = sum(len(piece.split()) for piece in pieces)
            # Whole words only: "Stand" must not match inside a product's name "Standard".
            compiled = re.compile(rf"(?<![\w]){pattern}(?![\w])")
            if words > 1:
                messages.patterns.append((text, compiled))
            elif len(pieces) == 1:
                messages.single_words[text.strip()] = text
            else:
                messages.whole_text_patterns.append((text, compiled))
    return messages


def english_messages_on(html: str, language: str) -> list[str]:
    """The English msgids (translated differently into `language`) that the page shows."""
    texts = visible_texts(html)
    messages = _english_messages(language)
    found = []
    # One word ("Stock", "%(num)d cooperative") counts only as the whole text: a name or a
    # code that the data holds may contain it.
    for text in texts:
        if text.strip() in messages.single_words:
            found.append(f"{messages.single_words[text.strip()]!r} in {text!r}")
        for english, pattern in messages.whole_text_patterns:
            if pattern.fullmatch(text):
                found.append(f"{english!r} in {text!r}")
    # Longer messages may stand anywhere in a text: one search of all texts at once.
    page = _BETWEEN.join(texts)
    starts = list(itertools.accumulate((len(text) + 1 for text in texts), initial=0))
    for english, pattern in messages.patterns:
        for hit in pattern.finditer(page):
            text = texts[bisect.bisect_right(starts, hit.start()) - 1]
            found.append(f"{english!r} in {text!r}")
    return found
