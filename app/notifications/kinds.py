"""What each kind of notification says, and the context its templates need.

Templates live in app/templates/notifications/<kind>/{subject,body}.<lang>.txt
for ar, fr and en. Every kind may use `name` (the recipient's name; filled from
the user by notify() when not given). Amounts are ints of centimes and go
through the `money` filter, which formats them in the message's language.

Shoppers get (required context; optional in brackets):
- order_placed: order_number, total_cents, payment_method ("card", "cash_on_delivery",
  "pay_at_stand"), part_count (how many cooperatives share the order) [link: a guest's
  secret link to the order page]
- confirm_cash_order: order_number, total_cents, link (signed: confirm or cancel each
  cash-on-delivery part before it ships)
- order_paid: order_number, total_cents
- part_confirmed, part_delivered, part_refused: order_number, cooperative_name
- part_shipped: order_number, cooperative_name [cash_due_cents: cash to hand the courier,
  carrier and tracking_number: the parcel's, when the cooperative gave them]
- part_ready: order_number, cooperative_name, pickup_code
- pickup_code_locked: order_number, cooperative_name, attempts (wrong codes that locked the
  hand-over of a pickup for an hour)
- order_cancelled: order_number
- order_refunded: order_number, amount_cents

Each member of a cooperative gets:
- cooperative_verified: cooperative_name
- payout_paid: cooperative_name, amount_cents, reference
- low_stock: cooperative_name, product_name, stock
- daily_digest: cooperative_name, date (ISO, "2025-06-14"), new_orders, parts_to_prepare,
  sales_cents
- new_order_for_cooperative: cooperative_name, order_number, subtotal_cents, item_count,
  delivery_method ("home_delivery", "coop_pickup", "stand_pickup")

Accounts (sent to an address, never shown on the inbox page: the link is for the
mailbox's reader only):
- verify_email: link (single use, a week)
- password_reset: link (single use, an hour)
- phone_code: code (6 digits proving the phone, ten minutes; sent by SMS to a phone, and
  a secret: erased from the row once the message is sent or given up)
- cooperative_invitation: cooperative_name, inviter_name, role ("owner", "staff"), link

Send member messages with `user=` for each member, so they show on that
member's notifications page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    required: frozenset[str]
    optional: frozenset[str] = frozenset()
    #: Context keys that prove something (a code): kept only until the message is sent.
    erased_once_sent: frozenset[str] = frozenset()

    @property
    def known(self) -> frozenset[str]:
        return self.required | self.optional | COMMON_OPTIONAL


#: Context every kind may use.
COMMON_OPTIONAL = frozenset({"name"})


def _kind(name: str, required: str, optional: str = "", *, erased_once_sent: str = "") -> Kind:
    return Kind(
        name,
        frozenset(required.split()),
        frozenset(optional.split()),
        frozenset(erased_once_sent.split()),
    )


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        _kind("order_placed", "order_number total_cents payment_method part_count", "link"),
        _kind("confirm_cash_order", "order_number total_cents link"),
        _kind("order_paid", "order_number total_cents"),
        _kind("part_confirmed", "order_number cooperative_name"),
        _kind(
            "part_shipped",
            "order_number cooperative_name",
            "cash_due_cents carrier tracking_number",
        ),
        _kind("part_ready", "order_number cooperative_name pickup_code"),
        _kind("part_delivered", "order_number cooperative_name"),
        _kind("pickup_code_locked", "order_number cooperative_name attempts"),
        _kind("part_refused", "order_number cooperative_name"),
        _kind("order_cancelled", "order_number"),
        _kind("order_refunded", "order_number amount_cents"),
        _kind("cooperative_verified", "cooperative_name"),
        _kind("payout_paid", "cooperative_name amount_cents reference"),
        _kind("low_stock", "cooperative_name product_name stock"),
        _kind("daily_digest", "cooperative_name date new_orders parts_to_prepare sales_cents"),
        _kind("verify_email", "link"),
        _kind("password_reset", "link"),
        _kind("phone_code", "code", erased_once_sent="code"),
        _kind("cooperative_invitation", "cooperative_name inviter_name role link"),
        _kind(
            "new_order_for_cooperative",
            "cooperative_name order_number subtotal_cents item_count delivery_method",
        ),
    )
}


def check_context(kind: str, context: dict[str, object]) -> Kind:
    """The registered `kind`, after checking `context` fits it.

    Raises ValueError (a programming error, not a user's) for an unknown kind, a
    missing or unexpected key, or a value that is not a str, int, bool or None:
    the row is stored as JSON and rendered later, maybe by another process, so
    it must never hold an ORM object, a float or a datetime.
    """
    try:
        registered = KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown notification kind {kind!r}")
    missing = registered.required - context.keys()
    if missing:
        raise ValueError(f"{kind} notification needs {sorted(missing)} in its context")
    unexpected = context.keys() - registered.known
    if unexpected:
        raise ValueError(f"{kind} notification does not use {sorted(unexpected)}")
    for key, value in context.items():
        if value is not None and not isinstance(value, str | int):
            raise ValueError(
                f"{kind} context {key!r} must be a str, int, bool or None, "
                f"not {type(value).__name__}"
            )
        if key.endswith("_cents") and isinstance(value, bool | str):
            raise ValueError(f"{kind} context {key!r} is an amount: an int of centimes")
    return registered


def without_secrets(kind: str, context: dict[str, object]) -> dict[str, object]:
    """`context` with the values of `kind`'s secret keys blanked: what the outbox row keeps
    once its message is sent or given up."""
    erased = KINDS[kind].erased_once_sent if kind in KINDS else frozenset()
    return {key: ("" if key in erased else value) for key, value in context.items()}
