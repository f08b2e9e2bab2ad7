"""Many shoppers check out the last units at once: exactly the stock is sold (real commits).

Each thread has its own app context, so its own session and connection, as
separate gunicorn workers would. Runs on SQLite here and on PostgreSQL when
DATABASE_URL points at one.
"""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import func, select
from support.factories import CooperativeFactory, ProductFactory, UserFactory

from app.accounts.models import User
from app.cart.carts import ShopperCart
from app.cart.errors import OutOfStock
from app.catalog.models import Product
from app.extensions import db
from app.fees.services import install_default_rules
from app.orders.checkout import Address, CheckoutRequest
from app.orders.models import Order, OrderLine
from app.orders.services import place_order

THREADS = 12
ADDRESS = Address(name="Fatima", line1="12, rue Al Qods", city="Beni Mellal", postal_code="23000")


def _committed_setup(stocks: list[int], shoppers: int) -> tuple[list[int], list[int], int]:
    install_default_rules()
    cooperative = CooperativeFactory()
    products = [ProductFactory(cooperative=cooperative, stock=stock) for stock in stocks]
    users = [UserFactory() for _ in range(shoppers)]
    db.session.commit()
    return [p.id for p in products], [u.id for u in users], cooperative.id


def _run_at_once(app, work, count: int) -> tuple[list, list[BaseException]]:
    """Run ``work(index)`` in ``count`` threads released together; results and failures."""
    barrier = threading.Barrier(count)
    results: list = []
    failures: list[BaseException] = []

    def run(index: int) -> None:
        with app.test_request_context():
            try:
                barrier.wait(timeout=20)
                results.append(work(index))
            except BaseException as error:  # reported by the test, with the thread's traceback
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a checkout hung"
    return results, failures


def _fill(user_id: int, lines: dict[int, int]) -> None:
    cart = ShopperCart(user_id)
    for product_id, quantity in lines.items():
        cart.put(product_id, quantity)
    db.session.commit()


def _sold(product_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
                OrderLine.product_id == product_id
            )
        )
    )


def test_shoppers_racing_for_the_last_units_buy_exactly_the_stock(app, committing_db):
    (product_id,), user_ids, cooperative_id = _committed_setup([5], THREADS)
    for user_id in user_ids:
        _fill(user_id, {product_id: 1})

    def buy(index: int):
        user = db.session.get(User, user_ids[index])
        try:
            return place_order(
                user,
                ShopperCart(user.id),
                CheckoutRequest(
                    "cash_on_delivery",
                    {str(cooperative_id): "home_delivery"},
                    ADDRESS,
                    "0612345678",
                    uuid.uuid4().hex,
                ),
            ).order.id
        except OutOfStock:
            return "out_of_stock"

    results, failures = _run_at_once(app, buy, THREADS)

    assert not failures, failures
    assert results.count("out_of_stock") == THREADS - 5
    assert len({r for r in results if r != "out_of_stock"}) == 5
    assert db.session.scalar(select(Product.stock).where(Product.id == product_id)) == 0
    assert _sold(product_id) == 5
    assert db.session.scalar(select(func.count(Order.id))) == 5


def test_carts_locking_products_in_opposite_orders_never_deadlock_nor_oversell(app, committing_db):
    (first, second), user_ids, cooperative_id = _committed_setup([7, 7], THREADS)
    for index, user_id in enumerate(user_ids):
        # Half the carts were filled second-product-first; stock is always taken by id.
        lines = {first: 2, second: 1} if index % 2 else {second: 1, first: 2}
        _fill(user_id, lines)

    def buy(index: int):
        user = db.session.get(User, user_ids[index])
        try:
            place_order(
                user,
                ShopperCart(user.id),
                CheckoutRequest(
                    "cash_on_delivery",
                    {str(cooperative_id): "coop_pickup"},
                    ADDRESS,
                    "0612345678",
                    uuid.uuid4().hex,
                ),
            )
            return "bought"
        except OutOfStock:
            return "out_of_stock"

    results, failures = _run_at_once(app, buy, THREADS)

    assert not failures, failures
    assert results.count("bought") == 3  # 7 // 2 of the first product
    stocks = dict(db.session.execute(select(Product.id, Product.stock)).tuples().all())
    assert stocks == {first: 1, second: 4}
    assert (_sold(first), _sold(second)) == (6, 3)


def test_a_checkout_replayed_at_once_makes_one_order(app, committing_db):
    (product_id,), (user_id,), cooperative_id = _committed_setup([10], 1)
    _fill(user_id, {product_id: 2})

    def replay(_index: int):
        user = db.session.get(User, user_id)
        placed = place_order(
            user,
            ShopperCart(user.id),
            CheckoutRequest(
                "cash_on_delivery",
                {str(cooperative_id): "home_delivery"},
                ADDRESS,
                "0612345678",
                "same-click",
            ),
        )
        return placed.order.id

    results, failures = _run_at_once(app, replay, 8)

    assert not failures, failures
    assert len(set(results)) == 1
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert db.session.scalar(select(Product.stock).where(Product.id == product_id)) == 8
