"""Checkout benchmark: 200 shoppers at once buy a few hot products with little stock.

Each shopper has an account, a bearer token and a cart of two hot products
(one or two units each) made beforehand. In each round the hot products are
restocked to ``HOT_STOCK`` units, every cart is refilled, and all shoppers,
each a thread with its own HTTP connection, are released together on
``POST /api/v1/checkout`` (cash on delivery, home delivery) against gunicorn
(2 workers) on PostgreSQL. Demand is about 2.5 times the stock, so many
checkouts must be refused: a 409 ``out_of_stock`` is the expected business
answer and is counted apart; anything else that is not a 201 (a 5xx, a
deadlock, a lost connection) is an error. After each round the stock taken is
compared with the order lines written: oversold units must be 0.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select, update

from bench.common import (
    Bench,
    median,
    percentile,
    quick,
    request,
    say,
    stopwatch,
    table,
    verdict,
)
from bench.seed import Catalog

SHOPPERS = 200
QUICK_SHOPPERS = 30
HOT_PRODUCTS = 8
#: Units of each hot product put on sale at the start of every round.
HOT_STOCK = 30
QUICK_HOT_STOCK = 5
ROUNDS = 5
QUICK_ROUNDS = 1
#: No new round starts after this long (at least two rounds run), so a slow machine finishes.
BUDGET_SECONDS = 75
SEED = 2026


@dataclass
class Shopper:
    user_id: int
    token: str


@dataclass
class RoundResult:
    wall_seconds: float
    latencies: list[float] = field(default_factory=list)
    placed_latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    out_of_stock: int = 0
    errors: list[str] = field(default_factory=list)
    oversold_units: int = 0
    #: |stock taken - units on order lines|, summed over products: lost or phantom units.
    unaccounted_units: int = 0
    orders_in_database: int = 0

    @property
    def placed(self) -> int:
        return self.statuses[201]


def prepare_shoppers(app, count: int, prefix: str = "shopper") -> list[Shopper]:
    """``count`` new shopper accounts with a bearer token each (``add_token``, as the real service).

    Their emails are ``<prefix><n>@bench.example``: a prefix names one set of shoppers.
    """
    from app.accounts.models import User
    from app.accounts.operations import add_token
    from app.accounts.passwords import hash_password
    from app.core.db import utcnow
    from app.extensions import db

    with app.app_context():
        now = utcnow()
        password_hash = hash_password("bench-shopper-not-secret")
        rows = [
            {
                "email": f"{prefix}{index}@bench.example",
                "name": f"Shopper {index}",
                "password_hash": password_hash,
                "role": "shopper",
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for index in range(count)
        ]
        statement = insert(User).returning(User.id, sort_by_parameter_order=True)
        user_ids = list(db.session.scalars(statement, rows))
        db.session.commit()
        shoppers = [
            Shopper(user_id, add_token(db.session.get(User, user_id))) for user_id in user_ids
        ]
        db.session.commit()
        db.session.remove()
    return shoppers


def hot_products(app, catalog: Catalog) -> list[tuple[int, int]]:
    """(product id, cooperative id) of ``HOT_PRODUCTS`` products on sale, two per cooperative."""
    from app.catalog.models import Product
    from app.catalog.queries import visible_clause
    from app.extensions import db

    chosen: list[tuple[int, int]] = []
    with app.app_context():
        for cooperative_id in catalog.verified_cooperative_ids[: HOT_PRODUCTS // 2]:
            ids = db.session.scalars(
                select(Product.id)
                .join(Product.cooperative)
                .where(visible_clause(), Product.cooperative_id == cooperative_id)
                .order_by(Product.id)
                .limit(2)
            )
            chosen.extend((product_id, cooperative_id) for product_id in ids)
        db.session.remove()
    return chosen


def reset_round(app, shoppers: list[Shopper], hot: list[tuple[int, int]], stock: int, rng) -> dict:
    """Restock the hot products, refill every cart; return each shopper's checkout body."""
    from app.cart.models import CartItem
    from app.catalog.models import Product
    from app.core.db import utcnow
    from app.extensions import db

    bodies = {}
    with app.app_context():
        hot_ids = [product_id for product_id, _ in hot]
        db.session.execute(update(Product).where(Product.id.in_(hot_ids)).values(stock=stock))
        user_ids = [shopper.user_id for shopper in shoppers]
        db.session.execute(delete(CartItem).where(CartItem.user_id.in_(user_ids)))
        now = utcnow()
        items = []
        for shopper in shoppers:
            picked = rng.sample(hot, 2)
            for product_id, _cooperative_id in picked:
                items.append(
                    {
                        "user_id": shopper.user_id,
                        "product_id": product_id,
                        "quantity": rng.randint(1, 2),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            bodies[shopper.user_id] = json.dumps(
                {
                    "idempotency_key": str(uuid.uuid4()),
                    "payment_method": "cash_on_delivery",
                    "delivery": {str(cooperative): "home_delivery" for _p, cooperative in picked},
                    "address": {
                        "name": "Fatima Zahra",
                        "line1": "12, rue Al Qods, Hay Salam",
                        "city": "Beni Mellal",
                        "postal_code": "23000",
                    },
                    "phone": "0612345678",
                }
            ).encode()
        db.session.execute(insert(CartItem), items)
        db.session.commit()
        db.session.remove()
    return bodies


def _order_count(app) -> int:
    from app.extensions import db
    from app.orders.models import Order

    with app.app_context():
        found = db.session.scalar(select(func.max(Order.id))) or 0
        db.session.remove()
    return int(found)


def _units_sold_since(
    app, first_order_id: int, hot_ids: list[int]
) -> tuple[dict[int, int], dict[int, int], int]:
    """Units on order lines of the orders after ``first_order_id`` by product, the stock
    now by product, and how many such orders there are."""
    from app.catalog.models import Product
    from app.extensions import db
    from app.orders.models import CooperativeOrder, Order, OrderLine

    with app.app_context():
        sold = dict(
            db.session.execute(
                select(OrderLine.product_id, func.sum(OrderLine.quantity))
                .join(CooperativeOrder, CooperativeOrder.id == OrderLine.part_id)
                .where(
                    CooperativeOrder.order_id > first_order_id, OrderLine.product_id.in_(hot_ids)
                )
                .group_by(OrderLine.product_id)
            ).all()
        )
        stock = dict(
            db.session.execute(
                select(Product.id, Product.stock).where(Product.id.in_(hot_ids))
            ).all()
        )
        orders = db.session.scalar(
            select(func.count()).select_from(Order).where(Order.id > first_order_id)
        )
        db.session.remove()
    return {key: int(value) for key, value in sold.items()}, stock, int(orders or 0)


def _storm(base: str, shoppers: list[Shopper], bodies: dict) -> RoundResult:
    """Every shopper checks out at the same instant; wait for all answers (60 s each at most)."""
    start = threading.Barrier(len(shoppers) + 1)
    answers: list[tuple[int, str, float]] = []
    lock = threading.Lock()

    def shop(shopper: Shopper) -> None:
        headers = {"Authorization": f"Bearer {shopper.token}", "Content-Type": "application/json"}
        start.wait()
        try:
            answer = request(
                base, "POST", "/api/v1/checkout", body=bodies[shopper.user_id], headers=headers
            )
            code = ""
            if answer.status != 201:
                try:
                    code = json.loads(answer.body)["error"]["code"]
                except (ValueError, KeyError, TypeError):
                    code = answer.body[:80].decode(errors="replace")
            outcome = (answer.status, code, answer.seconds)
        except OSError as error:
            outcome = (0, f"{type(error).__name__}: {error}", 0.0)
        with lock:
            answers.append(outcome)

    threads = [threading.Thread(target=shop, args=(shopper,), daemon=True) for shopper in shoppers]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=120)
    result = RoundResult(wall_seconds=time.perf_counter() - started)
    for status, code, seconds in answers:
        result.statuses[status] += 1
        if status:
            result.latencies.append(seconds)
        if status == 201:
            result.placed_latencies.append(seconds)
        elif status == 409 and code == "out_of_stock":
            result.out_of_stock += 1
        else:
            result.errors.append(f"{status} {code}".strip())
    missing = len(shoppers) - len(answers)
    result.errors.extend(["no answer within 120 s"] * missing)
    return result


def run(bench: Bench, catalog: Catalog) -> dict[str, float]:
    """Run the rounds and print orders/s, p95, out-of-stock answers, errors and oversold units."""
    app = bench.app
    count = QUICK_SHOPPERS if quick() else SHOPPERS
    stock = QUICK_HOT_STOCK if quick() else HOT_STOCK
    rounds = QUICK_ROUNDS if quick() else ROUNDS
    shoppers = prepare_shoppers(app, count)
    hot = hot_products(app, catalog)
    hot_ids = [product_id for product_id, _ in hot]
    rng = random.Random(SEED)
    say()
    say(
        f"checkout: {count} shoppers at once, {len(hot)} hot products with {stock} units each"
        f" per round, {rounds} rounds"
    )
    results: list[RoundResult] = []
    with bench.server() as base, stopwatch() as elapsed:
        request(base, "GET", "/api/v1/products?per_page=1")  # warm a worker
        for number in range(rounds):
            if number >= 2 and elapsed() > BUDGET_SECONDS:
                say(f"(time budget of {BUDGET_SECONDS} s spent: stopped after {number} rounds)")
                break
            bodies = reset_round(app, shoppers, hot, stock, rng)
            first_order_id = _order_count(app)
            result = _storm(base, shoppers, bodies)
            sold, left, orders = _units_sold_since(app, first_order_id, hot_ids)
            result.orders_in_database = orders
            for product_id in hot_ids:
                units = sold.get(product_id, 0)
                result.oversold_units += max(0, units - stock)
                result.unaccounted_units += abs((stock - left[product_id]) - units)
            if orders != result.placed:
                result.errors.append(f"{orders} orders written for {result.placed} answers 201")
            results.append(result)
    return _report(results, count, stock, len(hot))


def _report(
    results: list[RoundResult], shoppers: int, stock: int, products: int
) -> dict[str, float]:
    rows = []
    for number, result in enumerate(results, start=1):
        rows.append(
            (
                number,
                result.placed,
                result.out_of_stock,
                len(result.errors),
                result.oversold_units,
                result.unaccounted_units,
                f"{result.wall_seconds:.2f}",
                f"{result.placed / result.wall_seconds:.1f}",
                f"{shoppers / result.wall_seconds:.1f}",
                f"{percentile(result.latencies, 50) * 1000:.0f}",
                f"{percentile(result.latencies, 95) * 1000:.0f}",
            )
        )
    say(
        table(
            f"Checkout storm: {shoppers} shoppers, {products} products x {stock} units per round",
            (
                "round",
                "placed",
                "409 out_of_stock",
                "errors",
                "oversold",
                "unaccounted",
                "wall s",
                "orders/s",
                "checkouts/s",
                "p50 ms",
                "p95 ms",
            ),
            rows,
        )
    )
    errors = Counter(error for result in results for error in result.errors)
    oversold = sum(result.oversold_units + result.unaccounted_units for result in results)
    orders_per_second = median([result.placed / result.wall_seconds for result in results])
    p95 = median([percentile(result.latencies, 95) * 1000 for result in results])
    say(
        f"median orders/s {orders_per_second:.1f}, median p95 {p95:.0f} ms;"
        f" oversold units {oversold} ({verdict(oversold == 0)}),"
        f" errors {sum(errors.values())} ({verdict(not errors)})"
        + (f": {dict(errors)}" if errors else "")
    )
    placed = sum(result.placed for result in results)
    refused = sum(result.out_of_stock for result in results)
    return {
        "orders_per_second": orders_per_second,
        "p95_ms": p95,
        "placed_share": placed / (placed + refused) if placed + refused else 0.0,
        "oversold_units": float(oversold),
        "errors": float(sum(errors.values())),
    }
