"""An order paid today is paid out to its cooperative after the hold period, end to end."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.fair.queries import morocco_today
from app.ledger.queries import statement
from app.notifications.models import Notification
from app.payouts import bank_file, services
from app.payouts.models import PayoutStatus


def test_a_card_order_paid_today_is_paid_out_by_bank_after_the_hold_period(
    shop, seller, shopper, admin, books
):
    product, owner = seller()
    cooperative = product.cooperative
    # The same cooperative also kept cash for another order: it owes that order's fees.
    cash_order = shop.checkout(shopper, {product: 1}, payment="cash_on_delivery")
    shop.deliver(cash_order, owner)
    card_order = shop.paid_card_order(shopper, {product: 2})
    delivered_at = shop.deliver(card_order, owner)
    books.assert_balanced()

    too_soon = services.run_payouts(delivered_at + timedelta(days=6), actor=admin)
    assert too_soon.released == [] and too_soon.proposed == []

    run = services.run_payouts(delivered_at + timedelta(days=8), actor=admin)

    earned = card_order.parts[0].producer_cents  # 2 x 110.40 + 30.00 shipping
    owed = 840 + 120  # the fees of the cash order
    [payout] = run.proposed
    assert [item.amount_cents for item in run.released] == [earned]
    assert payout.amount_cents == earned - owed
    books.assert_balanced()

    services.approve(payout, admin)
    payout = services.execute(payout, admin)
    [row] = list(csv.DictReader(io.StringIO(bank_file.batch_csv(payout.batch))))
    assert row == {
        "rib": cooperative.rib,
        "name": cooperative.name,
        "amount": "241.20",
        "reference": payout.reference,
    }
    services.mark_batch_sent(payout.batch, admin)
    services.mark_batch_paid(payout.batch, admin)

    assert payout.status == PayoutStatus.PAID
    assert books.pending(cooperative) == 0 and books.available(cooperative) == 0
    books.assert_balanced()
    [told] = db.session.scalars(
        select(Notification).where(Notification.kind == "payout_paid")
    ).all()
    assert told.recipient_user_id == owner.id
    assert told.context["amount_cents"] == 24120
    assert told.context["reference"] == payout.reference
    kinds = [
        line.kind for line in statement(cooperative.id, morocco_today(), morocco_today()).lines
    ]
    assert "payout" in kinds
