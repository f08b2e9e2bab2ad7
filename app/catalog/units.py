"""What one unit of a product is: a code from a fixed list and a quantity ("500 g", "75 cl").

A product's unit is stored as ``unit_code`` + ``unit_quantity`` and worded in the
reader's language when shown ("500 g", "500 غ", "pièce", "قطعة"), never as free
English text. ``canonical`` is the language-neutral form the API takes and gives
back to programs ("500 g", "1 piece"); ``parse_unit`` reads it, and also the free
texts of older rows ("jar 500 g", "bottle 75 cl", "set of 6") for their migration.
"""

from __future__ import annotations

import re

from flask_babel import gettext, ngettext

from app.core.translation import N_

#: Measured units: the quantity is shown with the unit's symbol.
MEASURED = ("g", "kg", "ml", "cl", "l", "m2")
#: Counted units: one is named alone ("piece"), more with their number ("set of 6").
COUNTED = ("piece", "set", "night", "person")
CODES = MEASURED + COUNTED

#: The unit's name in a list to choose from (translated when shown).
UNIT_NAMES = {
    "g": N_("grams (g)"),
    "kg": N_("kilograms (kg)"),
    "ml": N_("millilitres (ml)"),
    "cl": N_("centilitres (cl)"),
    "l": N_("litres (L)"),
    "m2": N_("square metres (m²)"),
    "piece": N_("by the piece"),
    "set": N_("by the set"),
    "night": N_("per night"),
    "person": N_("per person"),
}

MAX_QUANTITY = 100_000
UNKNOWN_UNIT = N_(
    "Choose a unit from the list (g, kg, ml, cl, l, m2, piece, set, night, person) "
    "with a whole quantity, e.g. 500 g or 75 cl."
)

#: Container words of older free-text units, dropped when read: the quantity says it all.
_CONTAINERS = r"(?:bag|bar|bottle|box|can|jar|pack|pot|tin|sachet)"
_PATTERN = re.compile(
    rf"^\s*(?:{_CONTAINERS}\s+)?(?:(?P<set>set)\s+of\s+(?P<set_qty>\d+)|"
    r"(?P<qty>\d+)?\s*(?P<code>g|kg|ml|cl|l|m2|m²|pieces?|sets?|nights?|persons?|people))\s*$",
    re.IGNORECASE,
)
_ALIASES = {"m²": "m2", "pieces": "piece", "sets": "set", "nights": "night"}
_ALIASES |= {"persons": "person", "people": "person"}


def parse_unit(text: str) -> tuple[str, int]:
    """``"500 g"`` -> ``("g", 500)``; ``"piece"`` -> ``("piece", 1)``; ``"jar 1 kg"`` ->
    ``("kg", 1)``; ``"set of 6"`` -> ``("set", 6)``. Raises ``ValueError(UNKNOWN_UNIT)``."""
    match = _PATTERN.match(text or "") if isinstance(text, str) else None
    if match is None:
        raise ValueError(UNKNOWN_UNIT)
    if match.group("set"):
        code, quantity = "set", int(match.group("set_qty"))
    else:
        code = match.group("code").lower()
        code = _ALIASES.get(code, code)
        quantity = int(match.group("qty") or 1)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValueError(UNKNOWN_UNIT)
    return code, quantity


def canonical(code: str, quantity: int) -> str:
    """The language-neutral text of a unit: ``"500 g"``, ``"1 piece"``."""
    return f"{quantity} {code}"


def unit_text(code: str | None, quantity: int | None) -> str:
    """The unit in the reader's language (Flask-Babel's locale): "500 g", "pièce", "قطعة"."""
    if code is None:
        return ""
    quantity = quantity or 1
    words = {
        "g": lambda: gettext("%(quantity)s g", quantity=quantity),
        "kg": lambda: gettext("%(quantity)s kg", quantity=quantity),
        "ml": lambda: gettext("%(quantity)s ml", quantity=quantity),
        "cl": lambda: gettext("%(quantity)s cl", quantity=quantity),
        "l": lambda: gettext("%(quantity)s L", quantity=quantity),
        "m2": lambda: gettext("%(quantity)s m²", quantity=quantity),
        "piece": lambda: ngettext("piece", "%(num)d pieces", quantity),
        "set": lambda: ngettext("set", "set of %(num)d", quantity),
        "night": lambda: ngettext("night", "%(num)d nights", quantity),
        "person": lambda: ngettext("person", "%(num)d people", quantity),
    }
    worded = words.get(code)
    return worded() if worded is not None else canonical(code, quantity)


def unit_choices() -> list[tuple[str, str]]:
    """(code, name in the reader's language) for a select field."""
    return [(code, gettext(UNIT_NAMES[code])) for code in CODES]
