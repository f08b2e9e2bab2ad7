"""What a cooperative's papers must be, and what an admin checks before verifying it.

Pure rules: a file is accepted by its content (PDF, JPEG or PNG, at most
``MAX_DOCUMENT_BYTES``), never by its name or the type the browser claims; the
checklist says, item by item, what is on file and what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.translation import N_

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: Magic bytes -> (extension, content type).
_SIGNATURES = (
    (b"%PDF-", ("pdf", "application/pdf")),
    (b"\xff\xd8\xff", ("jpg", "image/jpeg")),
    (b"\x89PNG\r\n\x1a\n", ("png", "image/png")),
)
NOT_A_DOCUMENT = N_("Send a PDF, JPEG or PNG file.")
TOO_LARGE = N_("The file is larger than 10 MB.")
EMPTY_FILE = N_("The file is empty.")

#: Documents every cooperative files, in the checklist's order.
REQUIRED_DOCUMENTS = ("statutes", "registration_certificate", "rib_certificate")
DOCUMENT_NAMES = {
    "statutes": N_("Statutes"),
    "registration_certificate": N_("Registration certificate"),
    "rib_certificate": N_("RIB certificate"),
    "onssa_authorisation": N_("ONSSA authorisation"),
    "label_certificate": N_("Label certificate"),
}
ITEM_NAMES = {
    "registration_number": N_("Registration number"),
    "ice": N_("ICE"),
    "rib_key": N_("RIB key"),
    **DOCUMENT_NAMES,
}
MISSING = N_("missing")
RIB_KEY_WRONG = N_("the RIB's key does not match its digits")
ONSSA_NUMBER_MISSING = N_("no ONSSA number given")


def sniff(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a PDF, JPEG or PNG file from its first bytes, else None."""
    for signature, found in _SIGNATURES:
        if head.startswith(signature):
            return found
    return None


def rib_key_ok(rib: str | None) -> bool:
    """A Moroccan RIB: 24 digits whose last two are 97 - (first 22 digits x 100 mod 97)."""
    digits = re.sub(r"\s", "", rib or "")
    if not re.fullmatch(r"[0-9]{24}", digits):
        return False
    return int(digits[22:]) == 97 - (int(digits[:22]) * 100) % 97


@dataclass(frozen=True)
class ChecklistItem:
    #: A key of ITEM_NAMES.
    item: str
    ok: bool
    #: Why it is not ok (a message to translate), "" when it is.
    note: str = ""


def checklist(
    *,
    registration_number: str | None,
    ice: str | None,
    rib: str | None,
    payout_method: str,
    document_kinds: Iterable[str],
    sells_food: bool,
    onssa_number: str | None,
) -> list[ChecklistItem]:
    """What an admin checks before verifying: the numbers, the RIB's key (bank transfers),
    each required document, and the ONSSA authorisation when the cooperative sells food."""
    kinds = set(document_kinds)
    items = [
        ChecklistItem(
            "registration_number", bool(registration_number), "" if registration_number else MISSING
        ),
        ChecklistItem("ice", bool(ice), "" if ice else MISSING),
    ]
    if payout_method == "bank_transfer":
        key_ok = rib_key_ok(rib)
        items.append(
            ChecklistItem("rib_key", key_ok, "" if key_ok else (RIB_KEY_WRONG if rib else MISSING))
        )
    for kind in REQUIRED_DOCUMENTS:
        items.append(ChecklistItem(kind, kind in kinds, "" if kind in kinds else MISSING))
    if sells_food:
        on_file = "onssa_authorisation" in kinds
        note = "" if on_file and onssa_number else (ONSSA_NUMBER_MISSING if on_file else MISSING)
        items.append(ChecklistItem("onssa_authorisation", on_file and bool(onssa_number), note))
    return items
