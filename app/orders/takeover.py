"""A guest's orders join the account that later proves the same e-mail address.

Connected by the app factory (``connect_guest_takeover``) to
``app.accounts.events.email_verified``; runs in the verifying use case's
transaction and only flushes.
"""

from __future__ import annotations

from sqlalchemy import update

from app.accounts.events import email_verified
from app.accounts.models import User
from app.extensions import db
from app.orders.models import Order


def connect_guest_takeover() -> None:
    """Take guest orders over at e-mail verification (connecting twice is a no-op)."""
    email_verified.connect(take_over_guest_orders)


def take_over_guest_orders(sender, user: User, **extra) -> int:
    """Give ``user`` the guest orders placed with their (now verified) e-mail address; their
    secret links keep working. Returns how many."""
    if not user.email_verified:
        return 0
    taken = db.session.execute(
        update(Order)
        .where(Order.shopper_id.is_(None), Order.guest_email == user.email)
        .values(shopper_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.flush()
    return taken
