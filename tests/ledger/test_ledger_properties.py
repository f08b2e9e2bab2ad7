"""Random sequences of balanced business events keep the books straight.

Whatever happens (card payments split by the fee engine, cash kept by a
cooperative, releases, refunds funded by either side, payouts, card fees,
retried posts, reversals), the trial balance is zero and each account holds
exactly the sum of what was posted to it.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)
from support.factories import CooperativeFactory

from app.extensions import db
from app.fees.engine import Terms, quote
from app.ledger import codes, operations, queries
from app.ledger.operations import Entry

line_totals = st.integers(min_value=1, max_value=5_000_00)
fee_terms = st.builds(
    lambda commission, solidarity_share, floor: Terms(
        commission_bps=commission,
        solidarity_bps=commission * solidarity_share // 8,
        min_fee_cents=100 if commission else 0,
        max_fee_cents=15000,
        producer_floor_bps=floor,
    ),
    st.integers(min_value=0, max_value=2000),
    st.integers(min_value=0, max_value=8),
    st.integers(min_value=7000, max_value=10000),
)


@pytest.mark.slow
def test_random_business_events_keep_the_trial_balance_at_zero(app):
    cooperative_ids = [CooperativeFactory().id for _ in range(3)]
    cooperatives = st.sampled_from(cooperative_ids)

    class Books(RuleBasedStateMachine):
        posted = Bundle("posted")

        def __init__(self) -> None:
            super().__init__()
            self.savepoint = db.session.begin_nested()
            self.expected: Counter[str] = Counter()
            self.serial = 0

        def teardown(self) -> None:
            self.savepoint.rollback()
            # Rows the rolled-back savepoint loaded stay in the identity map, and the next
            # example reuses their ids.
            db.session.expunge_all()

        def _post(self, kind: str, entries: list[Entry]):
            self.serial += 1
            key = f"{kind}:{self.serial}"
            transaction = operations.post(kind, key, entries)
            for entry in entries:
                self.expected[entry.account_code] += entry.amount_cents
            return transaction, kind, key, entries

        @rule(target=posted, cooperative_id=cooperatives, total=line_totals, terms=fee_terms)
        def card_payment(self, cooperative_id, total, terms):
            split = quote(total, terms)
            return self._post(
                "card_payment",
                [
                    Entry(codes.CLEARING_STRIPE, -total),
                    Entry(codes.cooperative_pending(cooperative_id), split.producer_cents),
                    Entry(codes.PLATFORM_REVENUE, split.platform_cents),
                    Entry(codes.PLATFORM_SOLIDARITY_FUND, split.solidarity_cents),
                ],
            )

        @rule(target=posted, cooperative_id=cooperatives, total=line_totals, terms=fee_terms)
        def cash_collected(self, cooperative_id, total, terms):
            # The cooperative keeps the cash, so it owes the fees: its balance may go negative.
            split = quote(total, terms)
            return self._post(
                "cash_collected",
                [
                    Entry(codes.cooperative_available(cooperative_id), -total),
                    Entry(codes.cooperative_pending(cooperative_id), split.producer_cents),
                    Entry(codes.PLATFORM_REVENUE, split.platform_cents),
                    Entry(codes.PLATFORM_SOLIDARITY_FUND, split.solidarity_cents),
                ],
            )

        @rule(target=posted, cooperative_id=cooperatives, share=st.integers(1, 100))
        def release(self, cooperative_id, share):
            amount = self.expected[codes.cooperative_pending(cooperative_id)] * share // 100
            if amount <= 0:
                return None
            return self._post(
                "release",
                [
                    Entry(codes.cooperative_pending(cooperative_id), -amount),
                    Entry(codes.cooperative_available(cooperative_id), amount),
                ],
            )

        @rule(
            target=posted,
            cooperative_id=cooperatives,
            amount=st.integers(1, 50_000),
            funded_by=st.sampled_from(["cooperative", "platform"]),
        )
        def refund(self, cooperative_id, amount, funded_by):
            funder = (
                codes.cooperative_available(cooperative_id)
                if funded_by == "cooperative"
                else codes.PLATFORM_REVENUE
            )
            return self._post(
                "refund", [Entry(funder, -amount), Entry(codes.CLEARING_STRIPE, amount)]
            )

        @rule(target=posted, cooperative_id=cooperatives)
        def payout(self, cooperative_id):
            available = self.expected[codes.cooperative_available(cooperative_id)]
            if available <= 0:
                return None
            return self._post(
                "payout",
                [
                    Entry(codes.cooperative_available(cooperative_id), -available),
                    Entry(codes.CLEARING_BANK, available),
                ],
            )

        @rule(target=posted, fee=st.integers(1, 2_000))
        def card_fee(self, fee):
            return self._post(
                "card_fee",
                [Entry(codes.PLATFORM_CARD_FEES, -fee), Entry(codes.CLEARING_STRIPE, fee)],
            )

        @rule(event=posted)
        def retry(self, event):
            if event is None:
                return
            transaction, kind, key, entries = event
            assert operations.post(kind, key, entries).id == transaction.id

        @rule(event=consumes(posted))
        def reverse(self, event):
            if event is None:
                return
            transaction, _, key, entries = event
            operations.reverse(transaction, f"{key}:reversed")
            for entry in entries:
                self.expected[entry.account_code] -= entry.amount_cents

        @invariant()
        def books_balance(self):
            trial = queries.trial_balance()
            assert trial.total_cents == 0
            recorded = dict(trial.accounts)
            for code in set(recorded) | set(self.expected):
                assert recorded.get(code, 0) == self.expected[code], code

    run_state_machine_as_test(
        Books,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
