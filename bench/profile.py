"""Find the slowest request path and profile it with pyinstrument, in-process.

Each candidate path (the product API and pages, and a checkout) is timed with
the Flask test client against the bench database, alternating, and the one
with the highest median time per request is profiled over a batch of
requests. The call tree is printed (frames of the libraries folded away), so
that a change can be checked by running this again: ``python -m bench profile``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from bench.common import Bench, alternate, median, quick, say, table
from bench.seed import Catalog

#: Requests per candidate per round when timing, and in the profiled batch.
TIMED_REQUESTS = 5
PROFILED_REQUESTS = 40
QUICK_PROFILED_REQUESTS = 8


class CheckoutRequests:
    """Checkouts of prepared shoppers, each with a full cart of products in ample stock."""

    def __init__(self, app, catalog: Catalog, count: int) -> None:
        from bench import checkout

        self.shoppers = checkout.prepare_shoppers(app, count, prefix=f"profiled{time.time_ns()}-")
        hot = checkout.hot_products(app, catalog)
        self.bodies = checkout.reset_round(app, self.shoppers, hot, 1_000_000, random.Random(7))
        self.next = 0

    def __call__(self, client) -> int:
        shopper = self.shoppers[self.next]
        self.next += 1
        answer = client.post(
            "/api/v1/checkout",
            data=self.bodies[shopper.user_id],
            headers={"Authorization": f"Bearer {shopper.token}"},
            content_type="application/json",
        )
        return answer.status_code


def _getter(url: str) -> Callable:
    def get(client) -> int:
        return client.get(url).status_code

    return get


def run(
    bench: Bench,
    catalog: Catalog,
    product_id: int,
    timed_elsewhere: dict[str, tuple[float, Callable[[], object]]] | None = None,
) -> dict[str, float]:
    """Time the request paths, profile the slowest path and print its call tree.

    ``timed_elsewhere`` adds use cases another benchmark timed: name -> (median
    ms, a callable doing it once), e.g. the payout run; one call is profiled.
    """
    from pyinstrument import Profiler

    from app.extensions import db
    from bench.catalog import counting_queries

    app = bench.app
    rounds = 2 if quick() else 4
    profiled = QUICK_PROFILED_REQUESTS if quick() else PROFILED_REQUESTS
    checkouts = CheckoutRequests(app, catalog, rounds * TIMED_REQUESTS + profiled + 3)
    candidates: dict[str, Callable] = {
        "GET /api/v1/products (filters)": _getter(
            "/api/v1/products?province=azilal&in_stock=true&sort=price_asc"
        ),
        "GET /products (HTML list)": _getter("/products?province=azilal&in_stock=y&sort=price_asc"),
        "GET /products/<id> (HTML)": _getter(f"/products/{product_id}"),
        "POST /api/v1/checkout": checkouts,
    }
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    statements: dict[str, int] = {}
    for name, call in candidates.items():  # warm caches and compiled queries; count SQL
        call(client)
        with counting_queries(engine) as seen:
            call(client)
        statements[name] = len(seen)

    def timed(call: Callable) -> Callable[[], float]:
        def run_batch() -> float:
            started = time.perf_counter()
            for _ in range(TIMED_REQUESTS):
                status = call(client)
                if status >= 300:
                    raise RuntimeError(f"profiled request answered {status}")
            return (time.perf_counter() - started) / TIMED_REQUESTS

        return run_batch

    results = alternate([(name, timed(call)) for name, call in candidates.items()], rounds)
    per_call = {name: median(seconds) * 1000 for name, seconds in results.items()}
    for name, (ms, _call) in (timed_elsewhere or {}).items():
        per_call[name] = ms
    say()
    say(
        table(
            "In-process time per call (Flask test client for requests), medians",
            ("path", "ms per call", "SQL statements"),
            [(name, f"{ms:.1f}", statements.get(name, "-")) for name, ms in per_call.items()],
        )
    )
    slowest = max(per_call, key=per_call.__getitem__)
    if slowest in candidates:
        calls, target = profiled, lambda: candidates[slowest](client)
    else:
        calls, target = 1, (timed_elsewhere or {})[slowest][1]
    profiler = Profiler(interval=0.001)
    with counting_queries(engine) as seen:
        profiler.start()
        for _ in range(calls):
            target()
        profiler.stop()
    say()
    say(
        f"Profile of the slowest path, {slowest}, over {calls} call(s),"
        f" {len(seen) / calls:.0f} SQL statements per call (pyinstrument):"
    )
    say(profiler.output_text(unicode=False, color=False, show_all=False).rstrip())
    return {f"{name} ms": ms for name, ms in per_call.items()}
