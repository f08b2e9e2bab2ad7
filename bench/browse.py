"""Browse during checkouts: the catalog keeps its speed while orders flow (issue 16).

One gunicorn (2 workers, catalog cache on, as in production) serves shoppers
browsing the product API and the HTML list (wrk, or the Python generator),
first alone, then while a steady stream of checkouts (``CHECKOUTS_PER_SECOND``,
each a shopper with a bearer token and a cart of hot products with little
stock) runs against the same server. Before issue 16 every checkout retired
the whole cache, so browsing fell to the uncached speed; now a checkout changes
stock only, answers keep their bodies and read stock fresh. Targets: browse
throughput with checkouts at least 80 % of without; no unit oversold; and the
stock the API shows for a hot product right after the stream is the stock in
the database (no shopper is offered units that were sold).
"""

from __future__ import annotations

import random
import threading
import time

from bench.catalog import API_FILTERS, HTML_FILTERS, Path, load
from bench.checkout import (
    SEED,
    _order_count,
    _units_sold_since,
    hot_products,
    prepare_shoppers,
    reset_round,
)
from bench.common import Bench, median, quick, request, say, table, verdict
from bench.seed import Catalog
from bench.wrk import ensure_wrk

CHECKOUTS_PER_SECOND = 5
#: Browse throughput with checkouts flowing keeps at least this share of without.
FLOOR = 0.80
ROUNDS = 4
SECONDS = 5.0
#: Units of each hot product per round: less than the stream asks for, so some are refused.
HOT_STOCK = 6


def _stream(base: str, shoppers, bodies: dict, stop: threading.Event, answers: list) -> None:
    """One checkout every 1/CHECKOUTS_PER_SECOND s, each by the next shopper, until ``stop``."""
    interval = 1.0 / CHECKOUTS_PER_SECOND
    next_at = time.perf_counter()
    for shopper in shoppers:
        if stop.is_set():
            return
        time.sleep(max(0.0, next_at - time.perf_counter()))
        next_at += interval
        headers = {"Authorization": f"Bearer {shopper.token}", "Content-Type": "application/json"}

        def checkout(shopper=shopper, headers=headers) -> None:
            try:
                status = request(
                    base, "POST", "/api/v1/checkout", body=bodies[shopper.user_id], headers=headers
                ).status
            except OSError:
                status = 0
            answers.append(status)

        threading.Thread(target=checkout, daemon=True).start()


def run(bench: Bench, catalog: Catalog) -> dict[str, float]:
    app = bench.app
    rounds, seconds = (1, 2.0) if quick() else (ROUNDS, SECONDS)
    per_round = int(CHECKOUTS_PER_SECOND * seconds) + 5
    shoppers = prepare_shoppers(app, per_round * rounds, prefix="browser")
    hot = hot_products(app, catalog)
    hot_ids = [product_id for product_id, _ in hot]
    rng = random.Random(SEED)
    use_wrk = ensure_wrk()
    browsed = [
        Path("api", "GET /api/v1/products (24, filters)", f"/api/v1/products?{API_FILTERS}"),
        Path("html", "GET /products (HTML, filters)", f"/products?{HTML_FILTERS}"),
    ]
    say()
    say(
        f"browse during checkouts: {CHECKOUTS_PER_SECOND} checkouts/s against the same gunicorn"
        f" (catalog cache on), {rounds} rounds of {seconds:.0f} s per path, alone then with"
        f" checkouts; {len(hot)} hot products with {HOT_STOCK} units each per round"
    )
    alone: dict[str, list[float]] = {path.key: [] for path in browsed}
    during: dict[str, list[float]] = {path.key: [] for path in browsed}
    oversold = placed = refused = errors = stale = 0
    with bench.server() as base:
        for path in browsed:
            load(base, path, 1.0, use_wrk)  # warm: imports, templates, the cache
        for number in range(rounds):
            group = shoppers[number * per_round : (number + 1) * per_round]
            bodies = reset_round(app, group, hot, HOT_STOCK, rng)
            first_order_id = _order_count(app)
            # Who goes first rotates: the first checkouts of a round sell (the heavy ones),
            # the later ones are refused once the hot products are sold out.
            order = browsed[number % len(browsed) :] + browsed[: number % len(browsed)]
            for path in order:
                alone[path.key].append(load(base, path, seconds, use_wrk).per_second)
            answers: list[int] = []
            stop = threading.Event()
            stream = threading.Thread(
                target=_stream, args=(base, group, bodies, stop, answers), daemon=True
            )
            stream.start()
            for path in order:
                during[path.key].append(load(base, path, seconds, use_wrk).per_second)
            stop.set()
            stream.join(timeout=30)
            time.sleep(2.0)  # the last checkouts answer
            sold, left, _orders = _units_sold_since(app, first_order_id, hot_ids)
            for product_id in hot_ids:
                oversold += max(0, sold.get(product_id, 0) - HOT_STOCK)
                shown = request(base, "GET", f"/api/v1/products/{product_id}")
                if shown.status == 200 and _stock_in(shown.body) != left[product_id]:
                    stale += 1
            placed += answers.count(201)
            refused += answers.count(409)
            errors += sum(1 for status in answers if status not in (201, 409))
    ratios: dict[str, float] = {}
    rows = []
    for path in browsed:
        ratio = median([w / a for w, a in zip(during[path.key], alone[path.key], strict=True)])
        ratios[f"{path.key}_with_checkouts_vs_alone"] = ratio
        rows.append(
            (
                path.label,
                f"{median(alone[path.key]):.0f}",
                f"{median(during[path.key]):.0f}",
                f"{ratio * 100:.0f} %",
                f">= {FLOOR * 100:.0f} %",
                verdict(ratio >= FLOOR),
            )
        )
    say()
    say(
        table(
            "Browse during checkouts (cached server): requests/s alone and with checkouts",
            ("path", "alone req/s", "with checkouts", "ratio", "target", ""),
            rows,
        )
    )
    say(
        table(
            "Checkouts during the browse",
            ("placed", "refused (out of stock)", "errors", "oversold units", "stale stock shown"),
            [(placed, refused, errors, oversold, stale)],
        )
    )
    ratios.update(oversold_units=oversold, stale_stock_shown=stale, checkout_errors=errors)
    return ratios


def _stock_in(body: bytes) -> int:
    import json

    return int(json.loads(body)["stock"])
