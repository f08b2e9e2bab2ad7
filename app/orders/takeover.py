"""A guest's orders join the account that later proves the same e-mail address or phone.

Connected by the app factory (``connect_guest_takeover``) to
``app.accounts.events.email_verified`` and ``phone_verified``; runs in the verifying use
case's transaction and only flushes. Only guest orders move (no account, opened by a
secret link): an account's orders never change hands.
"""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.events import email_verified, phone_verified
from app.accounts.models import User
from app.core.db import utcnow
from app.extensions import db
from app.orders.models import Order, OrderEvent


def connect_guest_takeover() -> None:
    """Take guest orders over at e-mail and phone verification (connecting twice is a no-op)."""
    email_verified.connect(_take_over_by_email)
    phone_verified.connect(_take_over_by_phone)


def _take_over_by_email(sender, user: User, **extra) -> int:
    if not user.email_verified:
        return 0
    return take_over_guest_orders(user, email=user.email)


def _take_over_by_phone(sender, user: User, **extra) -> int:
    if not user.phone_verified:
        return 0
    return take_over_guest_orders(user, phone=user.phone)


def take_over_guest_orders(
    user: User, *, email: str | None = None, phone: str | None = None
) -> int:
    """Give ``user`` the guest orders placed with ``email`` (normalised) or with ``phone``
    (+212 then 9 digits), exactly one of them, which the caller has just seen proven for
    this account. Each order records the takeover as an event by ``user``; their secret
    links keep working. Returns how many. Flushes."""
    if (email is None) == (phone is None):
        raise ValueError("take guest orders over by one e-mail address or one phone")
    placed_with = Order.guest_email == email if email is not None else Order.contact_phone == phone
    proof = "e-mail" if email is not None else "phone"
    guest_orders = db.session.scalars(
        select(Order)
        .where(Order.shopper_id.is_(None), Order.guest_token_hash.is_not(None), placed_with)
        .order_by(Order.id)
        .with_for_update()
    ).all()
    now = utcnow()
    for order in guest_orders:
        order.shopper_id = user.id
        db.session.add(
            OrderEvent(
                order_id=order.id,
                from_status=order.status,
                to_status=order.status,
                actor_id=user.id,
                note=f"guest order taken over by the account that verified its {proof}",
                at=now,
            )
        )
    db.session.flush()
    return len(guest_orders)
