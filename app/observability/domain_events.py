"""Counts the marketplace's events from the rows the domains write, once they commit.

A session listener looks at each flush for new orders, order and part status moves,
payouts and recorded Stripe events, and hands the increments to ``after_commit``: a
rolled-back checkout or payout counts nothing, and no domain knows metrics exist.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.core.after_commit import after_commit
from app.observability.metrics import ORDERS, PAYOUT_AMOUNT, PAYOUTS, WEBHOOK_EVENTS
from app.orders.models import CooperativeOrder, Order, OrderStatus, PartStatus
from app.payments.models import StripeEvent
from app.payouts.models import Payout, PayoutStatus

#: Order statuses counted when an order reaches them (a new order counts as placed).
_ORDER_EVENTS = {OrderStatus.PAID: "paid", OrderStatus.CANCELLED: "cancelled"}
_PAYOUT_EVENTS = {
    PayoutStatus.PROPOSED: "proposed",
    PayoutStatus.PAID: "paid",
    PayoutStatus.FAILED: "failed",
}

Increment = tuple[object, tuple[str, ...], float]


def watch_domain_events() -> None:
    """Listen to every ORM session's flushes (once per process; needs ``watch_commits``)."""
    if not event.contains(Session, "after_flush", _count_after_commit):
        event.listen(Session, "after_flush", _count_after_commit)


def _count_after_commit(session: Session, flush_context) -> None:
    increments = list(_increments(session.new, session.dirty))
    if increments:
        after_commit(session, lambda: _apply(increments))


def _apply(increments: Iterable[Increment]) -> None:
    for metric, labels, amount in increments:
        metric.labels(*labels).inc(amount)  # type: ignore[attr-defined]


def _added(instance: object, attribute: str) -> list:
    """The values this flush writes to ``attribute`` (history is still pre-flush here)."""
    return list(inspect(instance).attrs[attribute].history.added or ())


def _increments(new: Iterable[object], dirty: Iterable[object]) -> Iterable[Increment]:
    for instance in new:
        if isinstance(instance, Order):
            yield ORDERS, ("placed",), 1
            if instance.status in _ORDER_EVENTS:
                yield ORDERS, (_ORDER_EVENTS[instance.status],), 1
        elif isinstance(instance, Payout) and instance.status in _PAYOUT_EVENTS:
            name = _PAYOUT_EVENTS[instance.status]
            yield PAYOUTS, (name,), 1
            yield PAYOUT_AMOUNT, (name,), instance.amount_cents
        elif isinstance(instance, StripeEvent) and instance.outcome:
            yield WEBHOOK_EVENTS, (instance.type, instance.outcome), 1
    for instance in dirty:
        if isinstance(instance, Order):
            for status in _added(instance, "status"):
                if status in _ORDER_EVENTS:
                    yield ORDERS, (_ORDER_EVENTS[status],), 1
        elif isinstance(instance, CooperativeOrder):
            if PartStatus.REFUSED in _added(instance, "status"):
                yield ORDERS, ("refused",), 1
        elif isinstance(instance, Payout):
            for status in _added(instance, "status"):
                if status in _PAYOUT_EVENTS:
                    name = _PAYOUT_EVENTS[status]
                    yield PAYOUTS, (name,), 1
                    yield PAYOUT_AMOUNT, (name,), instance.amount_cents
        elif isinstance(instance, StripeEvent):
            for outcome in _added(instance, "outcome"):
                if outcome:
                    yield WEBHOOK_EVENTS, (instance.type, outcome), 1
