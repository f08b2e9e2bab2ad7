"""Marking messages for translation in code that imports nothing from Flask.

Pure modules (money parsing, the fee engine) state their messages in English and mark
them with ``N_`` so that ``pybabel extract`` puts them in the catalogs; the face that
shows one passes it through Flask-Babel's ``gettext`` in the reader's language.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Return ``message`` unchanged: a marker for the extractor, translated later."""
    return message
