"""Every kind has a subject and a body in Arabic, French and English, fed by its context."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.notifications.kinds import KINDS
from app.notifications.models import LOCALES
from app.notifications.rendering import TEMPLATE_DIR, render

ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")

SAMPLE = {
    "order_number": "ST-7K3Q9X",
    "total_cents": 123450,
    "payment_method": "cash_on_delivery",
    "part_count": 2,
    "cooperative_name": "Coopérative Tighza",
    "cash_due_cents": 15000,
    "pickup_code": "482913",
    "amount_cents": 4500,
    "reference": "PO-2025-0007",
    "product_name": "Miel d'euphorbe",
    "stock": 2,
    "date": "2025-06-14",
    "new_orders": 3,
    "parts_to_prepare": 2,
    "sales_cents": 98000,
    "subtotal_cents": 24000,
    "item_count": 1,
    "delivery_method": "coop_pickup",
    "link": "https://souk.example/password/reset/k3Q9x",
    "inviter_name": "Aicha Ouhammou",
    "role": "staff",
    "attempts": 5,
    "code": "482913",
}


def _context(kind: str) -> dict:
    return {key: SAMPLE[key] for key in KINDS[kind].required}


def test_the_registered_kinds_are_the_messages_the_marketplace_sends():
    assert set(KINDS) == {
        "order_placed",
        "order_paid",
        "part_confirmed",
        "part_shipped",
        "part_ready",
        "part_delivered",
        "part_refused",
        "order_cancelled",
        "order_refunded",
        "cooperative_verified",
        "payout_paid",
        "low_stock",
        "daily_digest",
        "new_order_for_cooperative",
        "verify_email",
        "password_reset",
        "cooperative_invitation",
        "pickup_code_locked",
        "confirm_cash_order",
        "phone_code",
    }


def test_every_template_file_belongs_to_a_registered_kind_and_language():
    files = {path.relative_to(TEMPLATE_DIR).as_posix() for path in TEMPLATE_DIR.glob("*/*.txt")}
    expected = {
        f"{kind}/{part}.{locale}.txt"
        for kind in KINDS
        for part in ("subject", "body")
        for locale in LOCALES
    }
    assert files == expected


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("locale", LOCALES)
def test_each_kind_renders_in_each_language(kind, locale):
    message = render(kind, locale, _context(kind))

    assert message.subject and "\n" not in message.subject
    assert "{" not in message.body and "None" not in message.body
    assert bool(ARABIC_LETTER.search(message.body)) == (locale == "ar")
    assert bool(ARABIC_LETTER.search(message.subject)) == (locale == "ar")
    signature = {
        "ar": "فريق سوق التضامن",
        "fr": "L'équipe Souk Tadamon",
        "en": "The Souk Tadamon team",
    }
    assert message.body.rstrip().endswith(signature[locale])


@pytest.mark.parametrize(
    ("locale", "expected"),
    # In Arabic text the amount is a left-to-right isolate (U+2066 ... U+2069).
    [("ar", "\u20661.234,50 درهم\u2069"), ("fr", "1\u202f234,50 DH"), ("en", "1,234.50 MAD")],
)
def test_money_in_a_message_is_formatted_in_its_language(locale, expected):
    assert expected in render("order_paid", locale, _context("order_paid")).body


def test_optional_context_shows_only_when_given():
    context = _context("part_shipped")
    without = render("part_shipped", "en", context).body
    with_cash = render("part_shipped", "en", {**context, "cash_due_cents": 15000}).body

    assert "cash" not in without
    assert "Please have 150.00 MAD ready in cash for the courier." in with_cash


def test_greeting_uses_the_name_when_known():
    assert render(
        "order_cancelled", "fr", {"order_number": "ST-1", "name": "Aicha"}
    ).body.startswith("Bonjour Aicha,\n\n")
    assert render("order_cancelled", "ar", {"order_number": "ST-1"}).body.startswith("مرحبًا،\n\n")


text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@given(
    kind=st.sampled_from(sorted(KINDS)),
    locale=st.sampled_from(LOCALES),
    words=text,
    number=st.integers(min_value=0, max_value=10**9),
)
def test_any_strings_and_amounts_render_verbatim_on_one_subject_line(kind, locale, words, number):
    context = {
        key: number if isinstance(SAMPLE[key], int) else words for key in KINDS[kind].required
    }
    for key in ("payment_method", "delivery_method", "role"):
        if key in context:
            context[key] = SAMPLE[key]

    message = render(kind, locale, context)

    assert "\n" not in message.subject
    assert message.body.endswith("\n") and "\n\n\n" not in message.body
    if "order_number" in context:
        assert " ".join(words.split()) in message.subject + " ".join(message.body.split())


@pytest.mark.parametrize(
    ("locale", "owner_word", "staff_word"),
    [("en", "an owner", "a staff member"), ("fr", "propriétaire", "membre de l'équipe")],
)
def test_an_invitation_names_the_role_in_the_readers_language(locale, owner_word, staff_word):
    context = _context("cooperative_invitation")

    as_owner = render("cooperative_invitation", locale, {**context, "role": "owner"}).body
    as_staff = render("cooperative_invitation", locale, {**context, "role": "staff"}).body

    assert owner_word in as_owner and staff_word not in as_owner
    assert staff_word in as_staff
    assert SAMPLE["link"] in as_owner
