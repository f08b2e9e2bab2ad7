"""Money invariants under a simulated season (tests/support/season.py): hundreds of orders
(thousands with ``DRILLS_FULL=1``) over the fair and the weeks after, by card, cash on
delivery and at the stand, with pickups, cancellations, refusals at the door, refunds
funded by either side, releases after the hold period, payout runs and their execution.

At the end: the trial balance is zero; for each cooperative, what it was paid out plus
its pending and available balances equal what its order lines, payments, cash collected
and refunds say it earned (computed without the ledger); and for each product, what is
on the shelf plus what was sold less what came back is what was there at the start.
"""

from __future__ import annotations

import os
import time

import pytest
from support.season import Season, run_season

from app.ledger.queries import trial_balance
from app.notifications import operations as notices

FULL = os.environ.get("DRILLS_FULL") == "1"
ORDERS = 3000 if FULL else 120


@pytest.mark.slow
@pytest.mark.timeout(3600 if FULL else 900)
def test_a_season_keeps_the_books_balanced_and_every_unit_accounted_for(
    stripe_app, in_request, client, fake_stripe, monkeypatch
):
    # Messages wait in the outbox (the sweep's business, drilled elsewhere): a season
    # writes thousands, and delivering each at once would double the drill's time.
    monkeypatch.setattr(notices, "_dispatch", lambda app, notification_id: None)
    started = time.monotonic()
    season = run_season(
        Season(fake_stripe, client, seed=2026, cooperatives=30 if FULL else 10), ORDERS
    )
    books = season.books()

    assert trial_balance().total_cents == 0
    mismatched = {
        cooperative_id: (books.ledger[cooperative_id], owed)
        for cooperative_id, owed in books.owed.items()
        if books.ledger[cooperative_id] != owed
    }
    assert mismatched == {}
    oversold = {
        product_id: (initial, shelf, sold, returned)
        for product_id, (initial, shelf, sold, returned) in books.units.items()
        if shelf < 0 or shelf + sold - returned != initial
    }
    assert oversold == {}

    counts = season.tally.counts
    placed = sum(n for kind, n in counts.items() if kind.startswith("placed_"))
    assert placed >= ORDERS * 0.8
    for happened in (
        "placed_card",
        "placed_cash_on_delivery",
        "placed_pay_at_stand",
        "card_paid",
        "card_expired",
        "delivered",
        "refused_at_the_door",
        "cooperative_cancelled",
        "refund_cooperative",
        "refund_platform",
        "payout_bank_transfer",
        "payout_stripe",
        "handed_over_by_api",
    ):
        assert counts[happened] > 0, happened
    assert any(kind.endswith("_by_api") and kind.startswith("placed_") for kind in counts)
    print(
        f"\nseason: {placed} orders in {time.monotonic() - started:.1f}s; "
        f"{sum(books.owed.values())} centimes owed to {len(books.owed)} cooperatives; "
        f"{dict(sorted(counts.items()))}"
    )
