"""Refunds: what may still be refunded, how a refund is split, and recording it (flush only).

``app.payments.services.refund`` checks and commits; these helpers plan and
record. Amounts are int centimes of MAD.

What was paid: for a card order, the part's total once Stripe took the money;
for a cash order, the cash its cooperative recorded collecting. A refund
never exceeds, for its part and for the whole order, what was paid less what
was refunded already, nor refunds more units of a line than were bought
(``RefundExceedsPaid``, 409). One refund concerns one cooperative's part: its
lines, or an amount of it.

Ledger (credit-positive, see ``app.ledger.operations``), key ``refund:<key>``:

- Funded by the cooperative: the money comes back from where it went. The
  cooperative's account goes down by its share, the platform's revenue and
  the solidarity fund by theirs (split as ``app.payments.splits`` says), and
  the clearing account the money leaves from (``clearing:stripe`` for cards,
  ``clearing:cash`` for cash) goes up by the whole amount. The cooperative's
  account is ``pending`` while the part's earnings are held, ``available``
  once released (and always for cash, which was posted there); it may go
  negative and is netted from later payouts.
- Funded by the platform (goodwill): ``platform:revenue`` goes down by the
  whole amount, the clearing account up; the cooperative keeps its share.
- Made in Stripe's dashboard (reconciled from ``charge.refunded``): like a
  goodwill refund, for the order as a whole, since nobody said otherwise.

Stock comes back only for the units the admin marks as returned (by default:
yes while the part has not left its cooperative, no once shipped or handed
over). Refunding the last units of a part that has not left its cooperative
cancels the part and refunds what is left of it, its shipping included: nothing
will be sent. An order whose whole total was refunded becomes ``refunded``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import User
from app.catalog.operations import return_stock
from app.core.errors import ValidationFailed
from app.core.money import money_in_text
from app.extensions import db
from app.ledger import codes as ledger_codes
from app.ledger.models import Account, LedgerEntry, LedgerTransaction
from app.ledger.operations import Entry, post
from app.orders import states
from app.orders.models import CooperativeOrder, Order, OrderLine, OrderStatus, PartStatus
from app.orders.notices import tell_shopper
from app.orders.operations import mark_refunded, transition_part
from app.payments import splits
from app.payments.errors import RefundExceedsPaid
from app.payments.models import FundedBy, Payment, PaymentStatus, Refund, RefundMethod
from app.payments.splits import Split

#: Ledger kind of a refund.
REFUND = "refund"
#: Longest reason an admin may give.
REASON_MAX = 500


@dataclass(frozen=True)
class LineRequest:
    """Refund ``quantity`` units of order line ``line_id``; ``restock`` when they came back.

    ``restock`` None: back in stock when the part never left the cooperative
    (``restock_by_default``), not once it was shipped or handed over.
    """

    line_id: int
    quantity: int
    restock: bool | None = None


@dataclass(frozen=True)
class RefundPlan:
    order: Order
    part: CooperativeOrder
    amount_cents: int
    split: Split
    funded_by: str
    #: (line, units, back in stock) for a refund by lines; empty for a refund by amount.
    lines: list[tuple[OrderLine, int, bool]]
    #: The last units of a part not yet sent: the part is cancelled, its shipping refunded too.
    cancels_part: bool = False


def new_refund_key() -> str:
    return uuid.uuid4().hex


def restock_by_default(part: CooperativeOrder) -> bool:
    """Whether the part's goods are still at the cooperative (not dispatched, not finished)."""
    return part.status not in states.PART_FINAL | states.PART_DISPATCHED


def may_restock(part: CooperativeOrder) -> bool:
    """A cancelled or refused part's stock came back when it was cancelled or refused."""
    return part.status not in {PartStatus.CANCELLED, PartStatus.REFUSED}


def part_breakdown(part: CooperativeOrder) -> Split:
    """Where the part's total went: the cooperative (lines and shipping), platform, fund."""
    return Split(part.producer_cents, part.platform_cents, part.solidarity_cents)


def paid_for_part(part: CooperativeOrder, payment: Payment | None) -> int:
    """What the shopper paid for the part: its total once the card was charged, or its cash."""
    if part.order.is_cash:
        return part.cash_collected_cents or 0
    if payment is not None and payment.status == PaymentStatus.SUCCEEDED:
        return part.total_cents
    return 0


def refunded_for_order(order_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
                Refund.order_id == order_id
            )
        )
    )


def refunds_of_part(part_id: int) -> list[Refund]:
    return list(
        db.session.scalars(select(Refund).where(Refund.part_id == part_id).order_by(Refund.id))
    )


def refundable_for_part(part: CooperativeOrder, payment: Payment | None) -> int:
    """What can still be refunded of the part: paid, less refunded, within the order's own limit."""
    order_left = sum(paid_for_part(p, payment) for p in part.order.parts) - refunded_for_order(
        part.order_id
    )
    part_left = paid_for_part(part, payment) - sum(r.amount_cents for r in refunds_of_part(part.id))
    return max(0, min(part_left, order_left))


def plan_refund(
    order: Order,
    payment: Payment | None,
    *,
    funded_by: str,
    lines: Sequence[LineRequest] | None = None,
    part_id: int | None = None,
    amount_cents: int | None = None,
) -> RefundPlan:
    """Check a refund of ``lines`` (of one part) or of ``amount_cents`` of part ``part_id``.

    Raises ``ValidationFailed`` (422) for lines or a part not of this order,
    lines of several parts, or both or neither shape, and ``RefundExceedsPaid``
    (409) beyond what was paid and not yet refunded. Writes nothing.
    """
    if funded_by not in set(FundedBy):
        message = _("Say who funds the refund: the cooperative or the platform.")
        raise ValidationFailed(message, fields={"funded_by": [message]})
    if bool(lines) == (part_id is not None or amount_cents is not None):
        message = _("Refund either lines, or an amount of one part.")
        raise ValidationFailed(message, fields={"lines": [message]})
    if lines:
        part, chosen, amount, wanted = _lines_of_one_part(order, lines)
    else:
        part = next((p for p in order.parts if p.id == part_id), None)
        if part is None:
            message = _("This order has no such part.")
            raise ValidationFailed(message, fields={"part_id": [message]})
        if not isinstance(amount_cents, int) or amount_cents < 1:
            message = _("Enter an amount of at least 0.01.")
            raise ValidationFailed(message, fields={"amount": [message]})
        chosen, amount, wanted = [], amount_cents, None

    refundable = refundable_for_part(part, payment)
    if refundable == 0:
        raise RefundExceedsPaid(_("Nothing paid for this part is left to refund."))
    if amount > refundable:
        most = money_in_text(refundable, str(get_locale() or "en"))
        raise RefundExceedsPaid(
            _("At most %(amount)s of this part can still be refunded.", amount=most),
            fields={"amount": [_("At most %(amount)s.", amount=most)]},
        )
    cancels_part = bool(chosen) and _empties_waiting_part(part, chosen)
    if cancels_part:
        amount = refundable  # nothing will be sent: its shipping (and any rest) goes back too
    if funded_by == FundedBy.PLATFORM:
        split = splits.platform_funded(amount)
    else:
        split = splits.cooperative_funded(amount, _remaining_with_cooperative(part), wanted)
    return RefundPlan(order, part, amount, split, funded_by, chosen, cancels_part)


def _empties_waiting_part(part: CooperativeOrder, chosen) -> bool:
    """Whether these lines are the last units of a part still at its cooperative."""
    units = {line.id: count for line, count, _restock in chosen}
    return (
        restock_by_default(part)
        and part.cash_collected_cents is None
        and all(
            line.refunded_quantity + units.get(line.id, 0) == line.quantity for line in part.lines
        )
    )


def _lines_of_one_part(order: Order, requests: Sequence[LineRequest]):
    by_id = {line.id: line for part in order.parts for line in part.lines}
    seen: set[int] = set()
    chosen: list[tuple[OrderLine, int, bool]] = []
    for request in requests:
        line = by_id.get(request.line_id)
        if line is None or request.line_id in seen or request.quantity < 1:
            message = (
                _("Each line once, with at least 1 unit.")
                if line is not None
                else _("Line %(id)s is not in this order.", id=request.line_id)
            )
            raise ValidationFailed(message, fields={"lines": [message]})
        seen.add(request.line_id)
        if line.refunded_quantity + request.quantity > line.quantity:
            left = line.quantity - line.refunded_quantity
            raise RefundExceedsPaid(
                _(
                    "Only %(count)d units of “%(name)s” are left to refund.",
                    count=left,
                    name=line.name,
                ),
                fields={
                    "lines": [_("At most %(count)d units of line %(id)s.", count=left, id=line.id)]
                },
            )
        chosen.append((line, request.quantity, request.restock))
    parts = {line.part_id for line, _units, _restock in chosen}
    if len(parts) != 1:
        message = _("Refund the lines of one cooperative at a time.")
        raise ValidationFailed(message, fields={"lines": [message]})
    part = chosen[0][0].part
    if any(restock for _line, _units, restock in chosen) and not may_restock(part):
        message = _("This part was cancelled or refused: its stock came back already.")
        raise ValidationFailed(message, fields={"lines": [message]})
    default = restock_by_default(part)
    chosen = [
        (line, units, default if restock is None else restock) for line, units, restock in chosen
    ]
    amount = sum(line.unit_price_cents * units for line, units, _restock in chosen)
    wanted = Split()
    for line, units, _restock in chosen:
        line_split = Split(line.producer_cents, line.platform_cents, line.solidarity_cents)
        wanted += splits.units_share(
            line_split, line.unit_price_cents, line.refunded_quantity, units
        )
    return part, chosen, amount, wanted


def _remaining_with_cooperative(part: CooperativeOrder) -> Split:
    """The part's breakdown less what earlier cooperative-funded refunds took back."""
    remaining = part_breakdown(part)
    for refund in refunds_of_part(part.id):
        if refund.funded_by == FundedBy.COOPERATIVE:
            remaining -= Split(
                refund.producer_cents, refund.platform_cents, refund.solidarity_cents
            )
    return remaining


def record_refund(
    plan: RefundPlan,
    payment: Payment | None,
    *,
    actor: User | None,
    reason: str,
    key: str,
    stripe_refund_id: str | None,
) -> Refund:
    """Write the planned refund: its row, lines, stock, ledger, order status, the shopper's message.

    ``stripe_refund_id`` is Stripe's refund for a card order (None for cash).
    Only flushes.
    """
    order, part = plan.order, plan.part
    method = RefundMethod.CASH if order.is_cash else RefundMethod.STRIPE
    refund = Refund(
        order_id=order.id,
        part_id=part.id,
        amount_cents=plan.amount_cents,
        producer_cents=plan.split.producer_cents,
        platform_cents=plan.split.platform_cents,
        solidarity_cents=plan.split.solidarity_cents,
        funded_by=plan.funded_by,
        method=method,
        reason=reason,
        actor_id=actor.id if actor is not None else None,
        key=key,
        stripe_refund_id=stripe_refund_id,
        lines=[
            {"line_id": line.id, "quantity": units, "restock": restock}
            for line, units, restock in plan.lines
        ],
    )
    db.session.add(refund)
    db.session.flush()
    for line, units, restock in sorted(plan.lines, key=lambda item: item[0].product_id):
        line.refunded_quantity += units
        if restock:
            return_stock(line.product_id, units)
    _post_refund(refund, _cooperative_account(part))
    _settle(refund, payment, actor)
    if plan.cancels_part and order.status != OrderStatus.REFUNDED:
        transition_part(part, PartStatus.CANCELLED, actor=actor, note=refund.reason, restock=False)
    return refund


def cancelled_parts_to_refund(order: Order, payment: Payment | None) -> list[tuple[int, int]]:
    """(part id, centimes) still paid for the order's cancelled parts: to go back to the card."""
    if payment is None or payment.status != PaymentStatus.SUCCEEDED:
        return []
    owed = []
    for part in order.parts:
        if part.status == PartStatus.CANCELLED:
            left = refundable_for_part(part, payment)
            if left > 0:
                owed.append((part.id, left))
    return owed


def record_outside_refund(
    payment: Payment, amount_cents: int, stripe_refund_id: str | None
) -> Refund:
    """A refund made in Stripe's dashboard, recorded as a goodwill refund of the order; flush."""
    order = payment.order
    refund = Refund(
        order_id=order.id,
        part_id=None,
        amount_cents=amount_cents,
        platform_cents=amount_cents,
        funded_by=FundedBy.PLATFORM,
        method=RefundMethod.STRIPE,
        reason=_("Refunded in Stripe's dashboard."),
        actor_id=None,
        key=new_refund_key(),
        stripe_refund_id=stripe_refund_id,
        lines=[],
    )
    db.session.add(refund)
    db.session.flush()
    _post_refund(refund, None)
    _settle(refund, payment, None)
    return refund


def _post_refund(refund: Refund, cooperative_account: str | None) -> None:
    clearing = (
        ledger_codes.CLEARING_CASH
        if refund.method == RefundMethod.CASH
        else ledger_codes.CLEARING_STRIPE
    )
    entries = [
        Entry(clearing, refund.amount_cents),
        Entry(ledger_codes.PLATFORM_REVENUE, -refund.platform_cents),
        Entry(ledger_codes.PLATFORM_SOLIDARITY_FUND, -refund.solidarity_cents),
    ]
    if refund.producer_cents:
        assert cooperative_account is not None
        entries.append(Entry(cooperative_account, -refund.producer_cents))
    post(
        REFUND,
        f"refund:{refund.key}",
        entries,
        memo=f"Refund for order {refund.order.number}: {refund.reason}"[:500],
        refs={
            "order_id": refund.order_id,
            "cooperative_order_id": refund.part_id,
            "refund_id": refund.id,
        },
    )


def _cooperative_account(part: CooperativeOrder) -> str:
    """Where the part's earnings are now: pending while held, available once released (or cash)."""
    available = ledger_codes.cooperative_available(part.cooperative_id)
    if part.order.is_cash:
        return available
    released = db.session.scalar(
        select(LedgerEntry.id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .join(Account, Account.id == LedgerEntry.account_id)
        .where(
            LedgerTransaction.cooperative_order_id == part.id,
            LedgerTransaction.kind != REFUND,
            Account.code == available,
            LedgerEntry.amount_cents > 0,
        )
        .limit(1)
    )
    return (
        available if released is not None else ledger_codes.cooperative_pending(part.cooperative_id)
    )


def _settle(refund: Refund, payment: Payment | None, actor: User | None) -> None:
    """Count the refund on the payment, tell the shopper, and mark a wholly refunded order."""
    order = refund.order
    if payment is not None and refund.method == RefundMethod.STRIPE:
        payment.amount_refunded_cents += refund.amount_cents
    tell_shopper(
        order,
        "order_refunded",
        {"order_number": order.number, "amount_cents": refund.amount_cents},
        f"order_refunded:{refund.key}",
    )
    if refunded_for_order(order.id) >= order.total_cents:
        # Cancels the parts still waiting too; a cancelled order stays cancelled.
        mark_refunded(order, actor=actor, note=refund.reason)
    db.session.flush()
