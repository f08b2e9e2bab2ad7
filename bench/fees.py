"""Fee engine and money benchmark: quotes per second against the bare multiplication.

A million order-line totals (a fixed seed; 20,000 with BENCH_QUICK) are
quoted with the default fair-trade rule (8 % of which 1 % to the solidarity
fund, 1.00 to 150.00 MAD per line, producer floor 85 %). The same loop doing
only ``total * commission_bps // 10000`` is the baseline, and the money
module's ``apply_bps`` (the rounding step alone) sits in between. Loops
alternate round after round; the medians are compared.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

from bench.common import alternate, median, quick, say, table

LINES = 1_000_000
QUICK_LINES = 20_000
SEED = 2026
#: No new round starts after this long (at least two rounds run), so a slow machine finishes.
BUDGET_SECONDS = 40


def default_rule():
    """The default rule of the demo, as the engine reads it."""
    from app.fees.defaults import GENERAL_RULES
    from app.fees.engine import Terms

    terms = {
        key: value
        for key, value in GENERAL_RULES[0].items()
        if key not in {"priority", "translations"}
    }
    return Terms(**terms, id=1)


def line_totals(count: int) -> list[int]:
    """``count`` line totals in centimes: unit prices of 5 to 2,000 MAD times 1 to 6 units."""
    rng = random.Random(SEED)
    return [rng.randrange(500, 200_000) * rng.randint(1, 6) for _ in range(count)]


def _multiplication(totals: Sequence[int], commission_bps: int) -> Callable[[], float]:
    def loop() -> float:
        started = time.perf_counter()
        for total in totals:
            total * commission_bps // 10_000
        return time.perf_counter() - started

    return loop


def _apply_bps(totals: Sequence[int], commission_bps: int) -> Callable[[], float]:
    from app.core.money import apply_bps

    def loop() -> float:
        started = time.perf_counter()
        for total in totals:
            apply_bps(total, commission_bps)
        return time.perf_counter() - started

    return loop


def _quote(totals: Sequence[int], rule) -> Callable[[], float]:
    from app.fees.engine import quote

    def loop() -> float:
        started = time.perf_counter()
        for total in totals:
            quote(total, rule)
        return time.perf_counter() - started

    return loop


def run(lines: int | None = None, rounds: int | None = None) -> dict[str, float]:
    """Time the three loops over the same lines, alternating; print rates and ratios."""
    lines = lines or (QUICK_LINES if quick() else LINES)
    rounds = rounds or (2 if quick() else 3)
    rule = default_rule()
    totals = line_totals(lines)
    results = alternate(
        [
            ("multiplication", _multiplication(totals, rule.commission_bps)),
            ("apply_bps", _apply_bps(totals, rule.commission_bps)),
            ("quote", _quote(totals, rule)),
        ],
        rounds,
        budget_seconds=None if quick() else BUDGET_SECONDS,
    )
    rounds = len(results["multiplication"])
    baseline = results["multiplication"]
    ratios: dict[str, float] = {}
    rows = []
    for name, label in (
        ("multiplication", "total * bps // 10000 (baseline)"),
        ("apply_bps", "money.apply_bps (half-up rounding)"),
        ("quote", "fees.engine.quote (default rule)"),
    ):
        seconds = results[name]
        per_round = [baseline[i] / seconds[i] for i in range(rounds)]
        ratio = median(per_round)
        ratios[name] = ratio
        rows.append(
            (
                label,
                f"{lines / median(seconds):,.0f}",
                f"{median(seconds) / lines * 1e6:.3f}",
                f"{ratio * 100:.2f} %",
                f"{1 / ratio:.1f}x" if ratio else "-",
            )
        )
    say()
    say(
        table(
            f"Fee engine: {lines:,} lines, {rounds} alternating rounds, medians",
            ("loop", "lines/s", "us/line", "rate vs baseline", "slower by"),
            rows,
        )
    )
    return {
        "quote_vs_multiplication": ratios["quote"],
        "apply_bps_vs_multiplication": ratios["apply_bps"],
    }
