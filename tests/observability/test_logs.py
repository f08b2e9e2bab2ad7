"""JSON log lines: one per request and per task, the request id from the web into the tasks,
and nothing secret in them after a whole journey."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from celery import Celery, shared_task
from support.factories import ProductFactory

from app.observability.logs import json_handler, request_id_var
from app.observability.tasks import REQUEST_ID_HEADER

PASSWORD = "argan-oil-from-azilal"
RIB = "001810007800020110620221"
CARD = "4242 4242 4242 4242"
ADDRESS = {"name": "Fatima Zahra", "line1": "12, rue Al Qods", "city": "Beni Mellal",
           "postal_code": "23000"}  # fmt: skip
APPLICATION = {
    "name": "Tighza",
    "legal_form": "cooperative",
    "registration_number": "2016/BM-112",
    "ice": "001234567000089",
    "province": "azilal",
    "commune": "Tabant",
    "phone": "0612345678",
    "email": "contact@tighza.example",
    "description": "Miel d'euphorbe.",
    "payout_method": "bank_transfer",
    "rib": RIB,
}


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Every record of every logger, at DEBUG, through the production JSON handler."""
    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_every_request_writes_one_json_line_and_echoes_the_request_id(client, captured_logs):
    given = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c"})
    made = client.get("/healthz")
    forged = client.get("/healthz", headers={"X-Request-ID": 'x", "level": "fake'})

    assert given.headers["X-Request-ID"] == "lb-7f3a9c"
    assert len(made.headers["X-Request-ID"]) == 32
    assert len(forged.headers["X-Request-ID"]) == 32  # a made one: the given one forges fields
    requests = [line for line in lines(captured_logs) if line["logger"] == "souk.request"]
    assert [line["request_id"] for line in requests] == [
        "lb-7f3a9c",
        made.headers["X-Request-ID"],
        forged.headers["X-Request-ID"],
    ]
    first = requests[0]
    assert {"time", "level", "route", "status", "duration_ms", "user_id", "cooperative_id"} <= set(
        first
    )
    assert (first["route"], first["status"], first["level"]) == ("/healthz", 200, "INFO")


def test_a_full_journey_logs_no_password_token_rib_or_card_number(client, captured_logs, fee_rules):
    email = f"fatima-{uuid.uuid4().hex[:6]}@example.ma"
    assert (
        client.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Fatima"}
        ).status_code
        == 201
    )
    client.post("/api/v1/auth/token", json={"email": email, "password": "wrong-" + PASSWORD})
    token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert token.status_code in (200, 201), token.get_json()
    bearer = token.get_json()["token"]
    headers = {"Authorization": f"Bearer {bearer}"}
    product = ProductFactory(stock=5)
    assert (
        client.put(
            f"/api/v1/cart/items/{product.id}", json={"quantity": 1}, headers=headers
        ).status_code
        == 200
    )
    order = client.post("/api/v1/checkout", headers=headers, json={
        "idempotency_key": uuid.uuid4().hex, "payment_method": "cash_on_delivery",
        "delivery": {str(product.cooperative_id): "home_delivery"}, "address": ADDRESS,
        "phone": "06 12 34 56 78"})  # fmt: skip
    assert order.status_code == 201, order.get_json()
    application = client.post("/api/v1/cooperatives", json=APPLICATION, headers=headers)
    assert application.status_code == 201, application.get_json()
    # What a careless line would write: the redactor stands between it and the file.
    logging.getLogger("souk.careless").warning(
        "login %s password=%s card %s rib %s Authorization: Bearer %s",
        email, PASSWORD, CARD, RIB, bearer, extra={"rib": RIB, "payload": {"password": PASSWORD}},
    )  # fmt: skip
    try:
        raise ValueError(f"charge failed for card {CARD.replace(' ', '')}")
    except ValueError:
        logging.getLogger("souk.careless").exception("payment error")

    text = captured_logs.getvalue()
    records = lines(captured_logs)
    assert len(records) >= 7
    for secret in (PASSWORD, bearer, RIB, CARD, CARD.replace(" ", "")):
        assert secret not in text
    assert "[redacted]" in text
    request_lines = [r for r in records if r["logger"] == "souk.request"]
    checkout_line = next(r for r in request_lines if r["route"] == "/api/v1/checkout")
    assert checkout_line["user_id"] is not None and checkout_line["status"] == 201
    assert all(r["request_id"] for r in request_lines)


@shared_task(name="tests.observability.says_hello")
def says_hello() -> str:
    logging.getLogger("souk.test.task").info("hello from the task")
    return request_id_var.get() or ""


def test_the_request_id_rides_in_the_message_headers_and_into_the_task_lines(app, captured_logs):
    broker = Celery("publish-check", broker="memory://", set_as_current=False)
    token = request_id_var.set("req-42-abc")
    try:
        broker.send_task("tests.observability.says_hello")
    finally:
        request_id_var.reset(token)
    with broker.connection() as connection:
        message = connection.SimpleQueue("celery").get(timeout=2)
        headers = message.headers
        message.ack()
    assert headers[REQUEST_ID_HEADER] == "req-42-abc"

    task = app.extensions["celery"].tasks["tests.observability.says_hello"]
    result = task.apply(headers=headers)

    assert result.get() == "req-42-abc"
    records = lines(captured_logs)
    body = next(r for r in records if r["message"] == "hello from the task")
    done = next(r for r in records if r["logger"] == "souk.task")
    assert body["request_id"] == done["request_id"] == "req-42-abc"
    assert done["state"] == "SUCCESS" and done["task"] == task.name and "duration_ms" in done
    assert request_id_var.get() is None  # the worker's context is clean for the next task


def test_log_format_json_routes_every_logger_to_one_json_handler(app):
    from app.observability.logs import configure_json_logging

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        configure_json_logging("WARNING")
        configure_json_logging("WARNING")  # a second app in the same process adds nothing
        ours = [h for h in root.handlers if h.get_name() == "souk-json"]
        assert len(ours) == 1 and root.level == logging.WARNING
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
