"""Give every English entry its msgid as translation (`make i18n-update` runs this).

The msgids are written in English, so the English catalog maps each one to itself. An
entry left empty is not harmless: gettext returns the empty plural forms of a compiled
catalog as they are, and the page would show nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parent.parent / "app/translations/en/LC_MESSAGES/messages.po"


def main() -> int:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if message.id:
            message.string = message.id if isinstance(message.id, str) else tuple(message.id)
            message.flags.discard("fuzzy")
    with CATALOG.open("wb") as handle:
        write_po(handle, catalog, width=None, include_lineno=False, ignore_obsolete=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
