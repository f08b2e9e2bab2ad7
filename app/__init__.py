"""Souk Tadamon: the solidarity marketplace of Beni Mellal-Khenifra.

The application is built by ``create_app`` (``app.factory``), which wires every
domain, face and handler explicitly.
"""

from __future__ import annotations

from app.core.library_messages import speak_the_readers_language

# Before any schema is built: schemas copy marshmallow's messages when they are defined.
speak_the_readers_language()

from app.factory import create_app  # noqa: E402  (after the messages above)

__all__ = ["create_app"]
