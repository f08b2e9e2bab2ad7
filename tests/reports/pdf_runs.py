"""The strings a PDF page draws, in the order their glyphs are laid from the left.

pypdf's ``extract_text`` puts right-to-left text back in reading order; a test of
the visual order needs what the content stream draws, decoded through each font's
ToUnicode map, with Arabic presentation forms read as letters (NFKC).
"""

from __future__ import annotations

import unicodedata

from pypdf import PageObject
from pypdf._cmap import get_encoding
from pypdf.generic import ContentStream


def drawn_runs(page: PageObject) -> list[str]:
    """Each text-showing operation's string (Tj, TJ), in drawing order."""
    fonts = page["/Resources"]["/Font"]
    maps: dict[str, tuple[object, dict]] = {}
    current: tuple[object, dict] | None = None
    runs = []
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"Tf":
            name = operands[0]
            if name not in maps:
                maps[name] = get_encoding(fonts[name].get_object())
            current = maps[name]
        elif operator in (b"Tj", b"TJ") and current is not None:
            items = operands[0] if operator == b"TJ" else [operands[0]]
            encoding, to_unicode = current
            text = ""
            for item in items:
                if isinstance(item, bytes | str):
                    raw = getattr(item, "original_bytes", None) or (
                        item if isinstance(item, bytes) else item.encode("latin-1")
                    )
                    for byte in raw:
                        character = (
                            encoding[byte]
                            if isinstance(encoding, dict) and byte in encoding
                            else chr(byte)
                        )
                        text += to_unicode.get(character, character)
            runs.append(unicodedata.normalize("NFKC", text))
    return runs
