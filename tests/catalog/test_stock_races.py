"""Shoppers taking the last units at the same moment, on real commits: no unit sold twice."""

from __future__ import annotations

import threading

from support.factories import ProductFactory

from app.catalog import operations
from app.catalog.models import Product
from app.extensions import db

BUYERS = 8


def test_simultaneous_checkouts_never_take_more_units_than_there_are(app, committing_db):
    product_id = ProductFactory(stock=5).id
    db.session.commit()
    start = threading.Barrier(BUYERS)
    outcomes: list[bool] = []
    failures: list[BaseException] = []

    def buy_one() -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                outcomes.append(operations.take_stock(product_id, 1))
                db.session.commit()
            except BaseException as error:  # reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=buy_one) for _ in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    assert sorted(outcomes) == [False] * 3 + [True] * 5
    db.session.remove()
    assert db.session.get(Product, product_id).stock == 0
