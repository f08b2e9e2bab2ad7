"""Whatever refunds an admin tries, the books balance and nothing beyond what was paid goes back."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from support.factories import AdminFactory, MembershipFactory, ProductFactory

from app.extensions import db
from app.ledger.queries import balance, trial_balance
from app.orders.services import move_part
from app.payments import services
from app.payments.errors import RefundExceedsPaid
from app.payments.models import Refund
from app.payments.refunds import LineRequest

FUNDERS = st.sampled_from(["cooperative", "platform"])
attempts = st.lists(
    st.one_of(
        st.tuples(st.just("lines"), st.integers(1, 4), st.booleans(), FUNDERS),
        st.tuples(st.just("amount"), st.integers(1, 60_000), st.booleans(), FUNDERS),
    ),
    min_size=1,
    max_size=6,
)


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(tries=attempts, price=st.integers(1, 30_000), quantity=st.integers(1, 4))
def test_refunds_never_exceed_what_was_paid_and_the_books_balance(
    shop, shopper, tries, price, quantity
):
    product = ProductFactory(price_cents=price, stock=10)
    owner = MembershipFactory(cooperative=product.cooperative).user
    admin = AdminFactory()
    order = shop.checkout(shopper, {product: quantity}, payment="cash_on_delivery")
    part = order.parts[0]
    for status in ("confirmed", "shipped", "delivered"):
        move_part(part, status, member=owner)
    cash_before = balance("clearing:cash")

    for kind, number, restock, funded_by in tries:
        try:
            if kind == "lines":
                services.refund(
                    order,
                    admin,
                    lines=[LineRequest(part.lines[0].id, number, restock)],
                    reason="essai",
                    funded_by=funded_by,
                )
            else:
                services.refund(
                    order,
                    admin,
                    part_id=part.id,
                    amount_cents=number,
                    reason="essai",
                    funded_by=funded_by,
                )
        except RefundExceedsPaid:
            pass
        refunded = db.session.scalar(
            select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
                Refund.order_id == order.id
            )
        )
        assert refunded <= order.total_cents
        assert balance("clearing:cash") - cash_before == refunded
        assert part.lines[0].refunded_quantity <= part.lines[0].quantity
        assert trial_balance().total_cents == 0
        assert order.status == ("refunded" if refunded == order.total_cents else "completed")
