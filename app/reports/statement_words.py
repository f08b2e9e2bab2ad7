"""A cooperative's ledger lines and balance in words of the reader's language.

A ledger transaction stores a ``kind`` code and the ids of the rows that caused it;
its ``memo`` is an English note for the platform's own staff. Statements (the
dashboard page and the monthly PDF) word each line from its kind and those rows,
never from the memo, so an Arabic or French reader reads their own language.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.money import to_decimal_string
from app.core.replica import read_session
from app.ledger.queries import StatementLine
from app.orders.models import CooperativeOrder, Order
from app.payouts.models import Payout


def ledger_line_words(lines: Iterable[StatementLine]) -> dict[int, str]:
    """Transaction id -> what the line is, in the current locale's words. Three queries."""
    lines = list(lines)
    order_ids = {line.order_id for line in lines if line.order_id}
    part_ids = {line.cooperative_order_id for line in lines if line.cooperative_order_id}
    payout_ids = {line.payout_id for line in lines if line.payout_id}
    numbers: dict[int, str] = {
        order_id: number
        for order_id, number in read_session().execute(
            select(Order.id, Order.number).where(Order.id.in_(order_ids))
        )
    }
    cash: dict[int, int | None] = {
        part_id: collected
        for part_id, collected in read_session().execute(
            select(CooperativeOrder.id, CooperativeOrder.cash_collected_cents).where(
                CooperativeOrder.id.in_(part_ids)
            )
        )
    }
    payouts = {
        payout.id: payout
        for payout in read_session().scalars(select(Payout).where(Payout.id.in_(payout_ids)))
    }
    words: dict[int, str] = {}
    for line in lines:
        order = numbers.get(line.order_id or 0, "")
        if line.kind == "card_payment":
            text = _("Card sale, order %(order)s: your share, held until delivery", order=order)
        elif line.kind == "cash_collected":
            collected = cash.get(line.cooperative_order_id or 0) or 0
            text = _(
                "Cash sale, order %(order)s: you collected %(cash)s MAD from the shopper; "
                "the platform's fees of %(fees)s MAD are owed by you",
                order=order,
                cash=to_decimal_string(collected),
                fees=to_decimal_string(-line.amount_cents),
            )
        elif line.kind == "release":
            text = _("Order %(order)s delivered: its earnings can be paid out", order=order)
        elif line.kind == "refund":
            text = _("Refund to the shopper, order %(order)s", order=order)
        elif line.kind == "payout":
            payout = payouts.get(line.payout_id or 0)
            text = _(
                "Payout %(reference)s to your account",
                reference=payout.reference if payout is not None else "",
            )
        elif line.kind == "reversal":
            text = _("Correction of an earlier line")
        else:
            text = _("Other movement")
        words[line.transaction_id] = text
    return words


def balance_words(balance_cents: int) -> str:
    """What the sign of a cooperative's balance means, in words."""
    amount = to_decimal_string(abs(balance_cents))
    if balance_cents > 0:
        return _(
            "The platform owes your cooperative %(amount)s MAD: it is paid out to you once "
            "each sale's hold period has passed.",
            amount=amount,
        )
    if balance_cents < 0:
        return _(
            "Your cooperative owes the platform %(amount)s MAD: fees on cash sales that card "
            "earnings have not covered yet.",
            amount=amount,
        )
    return _("Nothing is owed on either side.")


def cash_settlement_words(fees_cents: int, platform_rib: str) -> str:
    """How the fees owed on cash sales are settled."""
    return _(
        "Fees on cash sales this month: %(fees)s MAD. They are deducted from your next card "
        "earnings; you may also pay them by bank transfer to the platform's RIB %(rib)s.",
        fees=to_decimal_string(fees_cents),
        rib=platform_rib,
    )
