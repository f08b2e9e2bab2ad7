"""The periodic task that expires unpaid card orders."""

from __future__ import annotations

from datetime import timedelta

from support.factories import ProductFactory

from app.core.db import utcnow
from app.core.tasks import BEAT_SCHEDULE
from app.extensions import db
from workers.tasks.payments import expire_unpaid_card_orders

TASK = "workers.tasks.payments.expire_unpaid_card_orders"


def test_beat_expires_unpaid_card_orders_every_five_minutes(app):
    entry = BEAT_SCHEDULE["expire-unpaid-card-orders"]
    assert entry["task"] == TASK
    assert entry["schedule"] == 300.0
    celery = app.extensions["celery"]
    assert TASK in celery.tasks and celery.tasks[TASK].acks_late


def test_the_task_expires_what_is_due_and_twice_is_once(shop, shopper, fake_stripe):
    oil = ProductFactory(stock=2)
    due = shop.card_order(shopper, {oil: 1})
    fresh = shop.card_order(shopper, {oil: 1})
    due.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    first = expire_unpaid_card_orders.delay().get()
    second = expire_unpaid_card_orders.delay().get()

    assert first == {"expired": 1, "confirmed": 0, "returned": 0}
    assert second == {"expired": 0, "confirmed": 0, "returned": 0}
    db.session.refresh(due)
    db.session.refresh(fresh)
    assert (due.status, fresh.status) == ("cancelled", "pending_payment")
    assert shop.stock_of(oil) == 1
    assert fake_stripe.get(shop.payment_of(due).intent_id)["status"] == "canceled"
