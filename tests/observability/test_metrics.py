"""/metrics: who may read it, and every series the operators watch, moved by real events."""

from __future__ import annotations

import time
import urllib.request
import uuid
from datetime import timedelta

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from support.factories import CooperativeFactory, ProductFactory, UserFactory
from support.stripe_fake import signed_webhook

from app.core.db import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.observability.tasks import start_metrics_server
from app.orders.models import Order
from app.payouts.models import Payout

ADDRESS = {"name": "Fatima Zahra", "line1": "12, rue Al Qods", "city": "Beni Mellal",
           "postal_code": "23000"}  # fmt: skip

LABELS = ("endpoint", "method", "status")
EVERY_SERIES = (
    "souk_http_requests_total",
    "souk_http_request_duration_seconds",
    "souk_orders_total",
    "souk_payouts_total",
    "souk_payout_amount_cents_total",
    "souk_webhook_events_total",
    "souk_outbox_pending",
    "souk_outbox_oldest_pending_age_seconds",
    "souk_celery_task_runs_total",
    "souk_celery_task_failures_total",
    "souk_celery_task_duration_seconds",
    "souk_login_failures_total",
    "souk_rate_limit_refusals_total",
)


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def checkout(client, headers, product) -> dict:
    response = client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1}, headers=headers)
    assert response.status_code == 200
    response = client.post(
        "/api/v1/checkout",
        json={
            "idempotency_key": uuid.uuid4().hex,
            "payment_method": "cash_on_delivery",
            "delivery": {str(product.cooperative_id): "home_delivery"},
            "address": ADDRESS,
            "phone": "06 12 34 56 78",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_scrape_after_a_checkout_finds_every_series(client, shopper, api_token, fee_rules):
    product = ProductFactory(stock=5)
    endpoint = ("api_orders.place_order", "POST", "201")
    placed = value("souk_orders_total", event="placed")
    answered = value("souk_http_requests_total", **dict(zip(LABELS, endpoint, strict=True)))
    # A notice the worker has not sent yet, queued 90 seconds ago: the notification lag.
    db.session.add(Notification(kind="order_placed", channel="log", locale="fr",
                                recipient_email="lag@example.com", dedupe_key=uuid.uuid4().hex,
                                created_at=utcnow() - timedelta(seconds=90)))  # fmt: skip
    db.session.commit()

    checkout(client, api_token(shopper), product)
    text = client.get("/metrics").get_data(as_text=True)
    families = {family.name: family for family in text_string_to_metric_families(text)}

    missing = [name for name in EVERY_SERIES if f"# TYPE {name} " not in text]
    assert missing == []
    assert value("souk_orders_total", event="placed") == placed + 1
    assert value("souk_http_requests_total", **dict(zip(LABELS, endpoint, strict=True))) == (
        answered + 1
    )
    latency = dict(zip(LABELS, endpoint, strict=True))
    assert value("souk_http_request_duration_seconds_count", **latency) >= 1
    assert families["souk_outbox_pending"].samples[0].value >= 1
    assert families["souk_outbox_oldest_pending_age_seconds"].samples[0].value >= 90


def test_metrics_are_refused_to_an_address_outside_metrics_allow_without_the_token(
    app, client, monkeypatch
):
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-secret-0123456789")

    assert client.get("/metrics", environ_base=outside).status_code == 404
    wrong = {"Authorization": "Bearer not-the-secret"}
    assert client.get("/metrics", environ_base=outside, headers=wrong).status_code == 404
    right = {"Authorization": "Bearer scrape-secret-0123456789"}
    assert client.get("/metrics", environ_base=outside, headers=right).status_code == 200
    assert client.get("/metrics").status_code == 200  # 127.0.0.1 is in the testing allow list
    monkeypatch.setitem(app.config, "METRICS_ALLOW", "10.0.0.0/8")
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_order_moves_count_once_committed(client, shopper, api_token, fee_rules):
    number = checkout(client, api_token(shopper), ProductFactory(stock=5))["number"]
    cancelled = value("souk_orders_total", event="cancelled")
    order = db.session.scalars(select(Order).where(Order.number == number)).one()

    order.status = "cancelled"
    db.session.flush()
    assert value("souk_orders_total", event="cancelled") == cancelled  # not committed yet
    db.session.commit()

    assert value("souk_orders_total", event="cancelled") == cancelled + 1


def new_payout(amount_cents: int) -> Payout:
    cooperative = CooperativeFactory()
    key = f"payout:{cooperative.id}:{uuid.uuid4()}"
    return Payout(
        cooperative_id=cooperative.id, amount_cents=amount_cents, method="bank_transfer", key=key
    )


def test_a_rolled_back_payout_counts_nothing():
    payout = new_payout(40000)
    proposed = value("souk_payouts_total", event="proposed")

    db.session.add(payout)
    db.session.flush()
    db.session.rollback()

    assert value("souk_payouts_total", event="proposed") == proposed


def test_payouts_count_proposed_paid_and_failed_with_their_amounts():
    before = {e: value("souk_payouts_total", event=e) for e in ("proposed", "paid", "failed")}
    amount = value("souk_payout_amount_cents_total", event="paid")
    first, second = new_payout(25000), new_payout(13000)

    db.session.add_all([first, second])
    db.session.commit()
    first.status, second.status = "paid", "failed"
    db.session.commit()

    assert value("souk_payouts_total", event="proposed") == before["proposed"] + 2
    assert value("souk_payouts_total", event="paid") == before["paid"] + 1
    assert value("souk_payouts_total", event="failed") == before["failed"] + 1
    assert value("souk_payout_amount_cents_total", event="paid") == amount + 25000


def test_webhook_events_count_by_type_and_outcome(client, stripe_settings, stripe_webhook_secret):
    before = value("souk_webhook_events_total", type="customer.created", outcome="ignored")
    event = {"id": f"evt_{uuid.uuid4().hex[:16]}", "object": "event", "type": "customer.created",
             "created": int(time.time()), "data": {"object": {"id": "cus_1"}}}  # fmt: skip
    body, headers = signed_webhook(event, stripe_webhook_secret)

    db.session.commit()
    assert client.post("/webhooks/stripe", data=body, headers=headers).status_code == 200
    assert client.post("/webhooks/stripe", data=body, headers=headers).status_code == 200

    # The replay is recognised and records nothing: one event counted.
    assert value("souk_webhook_events_total", type="customer.created", outcome="ignored") == (
        before + 1
    )


def test_login_failures_and_rate_limit_refusals_are_counted(client):
    user = UserFactory()
    failures = value("souk_login_failures_total")
    refusals = sum(
        s.value
        for m in REGISTRY.collect()
        if m.name == "souk_rate_limit_refusals"
        for s in m.samples
        if s.name.endswith("_total")
    )

    statuses = [
        client.post(
            "/api/v1/auth/token", json={"email": user.email, "password": "wrong-1234"}
        ).status_code
        for _ in range(6)
    ]

    assert statuses == [401] * 5 + [429]
    assert value("souk_login_failures_total") == failures + 5
    after = sum(
        s.value
        for m in REGISTRY.collect()
        if m.name == "souk_rate_limit_refusals"
        for s in m.samples
        if s.name.endswith("_total")
    )
    assert after == refusals + 1


def test_task_runs_failures_and_durations_are_exported_by_the_worker_endpoint(app):
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    task = celery.tasks["workers.tasks.notifications.sweep_outbox"]
    name = task.name
    runs = value("souk_celery_task_runs_total", task=name, state="SUCCESS")

    task.apply()

    assert value("souk_celery_task_runs_total", task=name, state="SUCCESS") == runs + 1
    assert value("souk_celery_task_duration_seconds_count", task=name) >= 1
    server = start_metrics_server(0)
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            text = answer.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert f'souk_celery_task_runs_total{{state="SUCCESS",task="{name}"}}' in text


def test_a_failing_task_counts_as_a_failure(app):
    from celery import shared_task

    @shared_task(name="tests.observability.always_fails")
    def always_fails():
        raise RuntimeError("boom")

    celery = app.extensions["celery"]
    task = celery.tasks["tests.observability.always_fails"]
    failures = value("souk_celery_task_failures_total", task=task.name)

    result = task.apply(throw=False)

    assert result.failed()
    assert value("souk_celery_task_failures_total", task=task.name) == failures + 1
    assert value("souk_celery_task_runs_total", task=task.name, state="FAILURE") >= 1
