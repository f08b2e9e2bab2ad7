"""Words shown to readers for the codes the cooperatives domain stores.

Province names are place names, given in each language as data (they are not
interface strings); legal forms, statuses and member roles are interface words,
translated through Flask-Babel.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.cooperatives.models import PROVINCES
from app.core.errors import name_transitions

#: Province code -> {language: name}; French is the fallback for other languages.
PROVINCE_NAMES: dict[str, dict[str, str]] = {
    "azilal": {"fr": "Azilal", "en": "Azilal", "ar": "أزيلال"},
    "beni_mellal": {"fr": "Béni Mellal", "en": "Beni Mellal", "ar": "بني ملال"},
    "fquih_ben_salah": {"fr": "Fquih Ben Salah", "en": "Fquih Ben Salah", "ar": "الفقيه بن صالح"},
    "khenifra": {"fr": "Khénifra", "en": "Khenifra", "ar": "خنيفرة"},
    "khouribga": {"fr": "Khouribga", "en": "Khouribga", "ar": "خريبكة"},
}

LEGAL_FORM_LABELS = {
    "cooperative": _l("Cooperative"),
    "association": _l("Association"),
    "mutual": _l("Mutual"),
    "social_enterprise": _l("Social enterprise"),
}

STATUS_LABELS = {
    "pending": _l("Awaiting verification"),
    "verified": _l("Verified"),
    "suspended": _l("Suspended"),
}

PAYOUT_METHOD_LABELS = {
    "bank_transfer": _l("Bank transfer to the RIB"),
    "stripe": _l("Stripe transfer"),
}

MEMBER_ROLE_LABELS = {"owner": _l("Owner"), "staff": _l("Staff")}


def province_name(code: str | None, language: str) -> str:
    """The province's name in `language` (else French); an unknown code is given back as is."""
    names = PROVINCE_NAMES.get(code or "")
    if names is None:
        return code or ""
    return names.get(language) or names["fr"]


def province_choices(language: str) -> list[tuple[str, str]]:
    """(code, name) for the five provinces, in the region's order."""
    return [(code, province_name(code, language)) for code in PROVINCES]


def label_for(labels: dict, code: str | None) -> str:
    """The reader's word for `code` in one of the tables above; the code itself when unknown."""
    return str(labels.get(code, code or ""))


def name_cooperative_transitions() -> None:
    """Give ``IllegalTransition`` the words of refused cooperative moves (app factory)."""
    name_transitions(
        "cooperative",
        _l("This cooperative cannot go from “%(from_state)s” to “%(to_state)s”."),
        STATUS_LABELS,
    )
