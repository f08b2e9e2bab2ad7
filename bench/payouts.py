"""Payouts benchmark: a payout run against a plain GROUP BY over the same ledger.

The ledger grows in three steps to 250,000, 500,000 and 1,000,000 entries
(50,000 / 100,000 / 200,000 with BENCH_QUICK) over the 320 cooperatives,
written with COPY (``bench.ledger``: balanced sales, releases and payouts,
with their orders). The same 320 parts are due for release at every size
(one per cooperative: a day's work), and 320 more are still within the hold.
The run's two reads (the parts due for release, the balances) are timed alone
too, so the table shows where the run's time goes.

At each size ``app.payouts.services.run_payouts(now)`` (release what is due,
then propose a payout per cooperative owed at least the minimum) is timed
inside a transaction that is rolled back afterwards, so every repetition
sees the same ledger, alternating with the plain
``SELECT account_id, SUM(amount_cents) FROM ledger_entries GROUP BY account_id``.
Target: the run at most 2x the plain scan, and a ratio that does not grow
with the ledger.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from bench.common import (
    Bench,
    alternate,
    median,
    quick,
    rolled_back_session,
    say,
    stopwatch,
    table,
    verdict,
)
from bench.ledger import grow, open_ledger
from bench.seed import Catalog

SIZES = (250_000, 500_000, 1_000_000)
QUICK_SIZES = (50_000, 100_000, 200_000)
TARGET_RATIO = 2.0
#: The ratio may wobble this much between sizes on a noisy machine and still count as flat.
GROWTH_SLACK = 1.15
#: No new round starts after this long at one size (at least two rounds run).
BUDGET_SECONDS = 30
PLAIN_SCAN = "SELECT account_id, SUM(amount_cents) FROM ledger_entries GROUP BY account_id"
SEED = 2026


def _plain_scan(app):
    from app.extensions import db

    def run() -> float:
        with app.app_context():
            started = time.perf_counter()
            with db.engine.connect() as connection:
                rows = connection.execute(text(PLAIN_SCAN)).all()
            elapsed = time.perf_counter() - started
        if not rows:
            raise RuntimeError("the plain scan found no entries")
        return elapsed

    return run


@dataclass
class RunSeen:
    released: int = 0
    proposed: int = 0
    blocked: int = 0


def _payout_run(app, now: datetime, seen: RunSeen):
    from app.payouts.services import run_payouts

    def run() -> float:
        with app.app_context(), rolled_back_session(app):
            started = time.perf_counter()
            report = run_payouts(now)
            elapsed = time.perf_counter() - started
        seen.released, seen.proposed, seen.blocked = (
            len(report.released),
            len(report.proposed),
            len(report.blocked),
        )
        return elapsed

    return run


def _read_step(app, read):
    """Time one of the run's reads alone (it writes nothing), with JIT off as the run reads."""
    from app.extensions import db

    def run() -> float:
        with app.app_context():
            started = time.perf_counter()
            db.session.execute(text("SET LOCAL jit = off"))
            read()
            elapsed = time.perf_counter() - started
            db.session.remove()
        return elapsed

    return run


def _steps(app, now: datetime, seen: RunSeen) -> list[tuple[str, object]]:
    """The scan, the run's two reads alone, and the whole run, to be alternated."""
    from app.payouts import earnings, rules

    def due_parts() -> None:
        earnings.due_releases(now, rules.hold_period())

    def balances() -> None:
        rules.payout_candidates(rules.minimum_payout_cents())

    return [
        ("scan", _plain_scan(app)),
        ("due_parts", _read_step(app, due_parts)),
        ("balances", _read_step(app, balances)),
        ("payout_run", _payout_run(app, now, seen)),
    ]


def run(bench: Bench, catalog: Catalog) -> dict[str, float]:
    """Grow the ledger through the sizes, timing the run against the scan at each; print ratios."""
    app = bench.app
    sizes = QUICK_SIZES if quick() else SIZES
    rounds = 3 if quick() else 5
    rng = random.Random(SEED)
    ledger = open_ledger(app, catalog)
    say()
    say(f"payouts: run_payouts(now) against the plain scan, {rounds} alternating rounds per size")
    rows = []
    ratios: dict[str, float] = {}
    for step, size in enumerate(sizes):
        with stopwatch() as elapsed:
            grow(app, ledger, size, rng, first=step == 0)
        say(f"ledger now {ledger.entries:,} entries (grown with COPY in {elapsed():.1f} s)")
        seen = RunSeen()
        runs = _steps(app, ledger.now, seen)
        for name, warm in runs:
            if name != "payout_run":  # the run itself is too slow to repeat for warming
                warm()
        results = alternate(runs, rounds, budget_seconds=None if quick() else BUDGET_SECONDS)
        done = len(results["scan"])

        def against_scan(name: str, results=results, done=done) -> float:
            return median([results[name][i] / results["scan"][i] for i in range(done)])

        def cell(name: str, results=results) -> str:
            return f"{median(results[name]) * 1000:.0f} ({against_scan(name):.2f}x)"

        ratio = against_scan("payout_run")
        every = [results["payout_run"][i] / results["scan"][i] for i in range(done)]
        ratios[f"run_vs_scan_{size}"] = ratio
        ratios[f"run_vs_scan_worst_round_{size}"] = max(every)
        ratios["run_ms_at_largest_size"] = median(results["payout_run"]) * 1000
        ratios[f"due_parts_vs_scan_{size}"] = against_scan("due_parts")
        ratios[f"balances_vs_scan_{size}"] = against_scan("balances")
        rows.append(
            (
                f"{ledger.entries:,}",
                f"{median(results['scan']) * 1000:.0f}",
                cell("due_parts"),
                cell("balances"),
                cell("payout_run"),
                " ".join(f"{value:.2f}" for value in every),
                f"{seen.released} / {seen.proposed} / {seen.blocked}",
                verdict(max(every) <= TARGET_RATIO),
            )
        )
    say(
        table(
            "Payout run against a plain GROUP BY over the same ledger (PostgreSQL), ms (x scan)",
            (
                "entries",
                "scan",
                "due parts query",
                "balances query",
                "whole run",
                "x scan in each round",
                "released/proposed/blocked",
                f"every round <= {TARGET_RATIO:.0f}x",
            ),
            rows,
        )
    )
    first, last = ratios[f"run_vs_scan_{sizes[0]}"], ratios[f"run_vs_scan_{sizes[-1]}"]
    growth = last / first if first else 0.0
    ratios["ratio_growth_first_to_last"] = growth
    say(
        f"ratio at {sizes[-1]:,} / ratio at {sizes[0]:,}: {growth:.2f}"
        f" (the run grows {'no faster' if growth <= GROWTH_SLACK else 'FASTER'} than the ledger;"
        f" {GROWTH_SLACK} allows for noise)"
    )
    return ratios


def one_run(bench: Bench) -> Callable[[], object]:
    """One payout run on the ledger as it is, rolled back afterwards (for the profiler)."""
    from app.core.db import utcnow
    from app.payouts.services import run_payouts

    app = bench.app

    def run_once() -> object:
        with app.app_context(), rolled_back_session(app):
            return run_payouts(utcnow())

    return run_once
