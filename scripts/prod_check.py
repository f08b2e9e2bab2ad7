"""``make prod-check``: the production configuration, started locally, takes a smoke journey.

Runs the Procfile's release step, then ``honcho start web worker beat`` (gunicorn with
two workers, one Celery worker, beat) with APP_ENV=production against PostgreSQL and
Redis, behind a pretend TLS proxy (PROXY_COUNT=1, X-Forwarded-Proto: https). The
journey: browse, register and order, a Stripe webhook signed with a test secret, a
payout run through the worker, and the metrics of web and worker. Everything it starts
is stopped and its database dropped; the exit status says whether the journey passed.

Settings: PROD_CHECK_DATABASE (default souk_ops_prodcheck, created and dropped on
PG_ADMIN_URL's server), PROD_CHECK_REDIS_URL (default redis://127.0.0.1:6379/11, flushed).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The commands of the interpreter running this script (make runs it as $(BIN)/python).
BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("PROD_CHECK_DATABASE", "souk_ops_prodcheck")
REDIS_URL = os.environ.get("PROD_CHECK_REDIS_URL", "redis://127.0.0.1:6379/11")
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}


class SmokeFailed(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def call(base: str, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method)
    for name, value in {**PROXY_HEADERS, **(headers or {})}.items():
        request.add_header(name, value)
    if data is not None and "Content-Type" not in (headers or {}):
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def expect(condition: bool, what: str) -> None:
    print(("  ok  " if condition else "  FAIL ") + what, flush=True)
    if not condition:
        raise SmokeFailed(what)


def wait_for(what: str, probe, seconds: float = 90.0, every: float = 0.5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = probe()
        except (OSError, urllib.error.URLError):
            value = None
        if value:
            return value
        time.sleep(every)
    raise SmokeFailed(f"timed out waiting for {what}")


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in a Prometheus text page (0 when absent)."""
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                total += s.value
    return total


def stripe_signature(body: bytes, secret: str) -> str:
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), b"%d." % timestamp + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def journey(base: str, env: dict[str, str]) -> None:
    metrics_auth = {"Authorization": f"Bearer {env['METRICS_TOKEN']}"}
    status, _, headers = call(base, "GET", "/", headers={"X-Request-ID": "prod-check-1"})
    expect(status == 200, "home page answers 200 behind the TLS proxy")
    expect(headers.get("X-Request-ID") == "prod-check-1", "the request id is echoed")
    status, body, _ = call(base, "GET", "/api/v1/products?per_page=50")
    products = json.loads(body)["items"] if status == 200 else []
    expect(status == 200 and bool(products), "the catalog lists the demo's products")
    product = next(p for p in products if p.get("stock", 1) > 0)

    email = f"prod-check-{uuid.uuid4().hex[:8]}@example.ma"
    password = secrets.token_urlsafe(16)
    status, _, _ = call(base, "POST", "/api/v1/auth/register",
                        {"email": email, "password": password, "name": "Prod Check"})  # fmt: skip
    expect(status == 201, "a shopper registers")
    status, body, _ = call(
        base, "POST", "/api/v1/auth/token", {"email": email, "password": password}
    )
    expect(status in (200, 201), "the shopper gets an API token")
    auth = {"Authorization": f"Bearer {json.loads(body)['token']}"}
    status, _, _ = call(base, "PUT", f"/api/v1/cart/items/{product['id']}", {"quantity": 1}, auth)
    expect(status == 200, "a product goes into the cart")
    cooperative_id = product["cooperative"]["id"]
    status, body, _ = call(base, "POST", "/api/v1/checkout", {
        "idempotency_key": uuid.uuid4().hex, "payment_method": "cash_on_delivery",
        "delivery": {str(cooperative_id): "home_delivery"},
        "address": {"name": "Prod Check", "line1": "12 rue Al Qods", "city": "Beni Mellal",
                    "postal_code": "23000"},
        "phone": "0612345678"}, auth)  # fmt: skip
    expect(status == 201, f"the order is placed ({status} {body[:200]!r})")

    event = {"id": f"evt_{uuid.uuid4().hex[:20]}", "object": "event", "type": "customer.created",
             "created": int(time.time()), "data": {"object": {"id": "cus_prodcheck"}}}  # fmt: skip
    raw = json.dumps(event, indent=2).encode()
    signature = stripe_signature(raw, env["STRIPE_WEBHOOK_SECRET"])
    webhook_headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}
    status, body, _ = call(base, "POST", "/webhooks/stripe", raw=raw, headers=webhook_headers)
    expect(status == 200, "a signed Stripe webhook is accepted")
    forged = {**webhook_headers, "Stripe-Signature": stripe_signature(raw, "whsec_wrong")}
    status, _, _ = call(base, "POST", "/webhooks/stripe", raw=raw, headers=forged)
    expect(status == 400, "a webhook signed with another secret is refused")

    from celery import Celery

    sender = Celery("prod-check", broker=env["REDIS_URL"], set_as_current=False)
    sender.send_task("workers.tasks.payouts.run_payouts_task")
    worker_metrics = f"http://127.0.0.1:{env['CELERY_METRICS_PORT']}/metrics"
    task = "workers.tasks.payouts.run_payouts_task"

    def payout_run_done():
        with urllib.request.urlopen(worker_metrics, timeout=5) as answer:
            text = answer.read().decode()
        return sample(text, "souk_celery_task_runs_total", task=task, state="SUCCESS") >= 1

    expect(
        bool(wait_for("the payout run on the worker", payout_run_done)),
        "the worker ran a payout run",
    )

    def outbox_empty():
        status, body, _ = call(base, "GET", "/metrics", headers=metrics_auth)
        return status == 200 and sample(body.decode(), "souk_outbox_pending") == 0 and body

    page = wait_for("the worker to deliver the order's notices", outbox_empty).decode()
    expect(True, "the worker delivered every notice (outbox empty)")
    expect(sample(page, "souk_orders_total", event="placed") >= 1, "web metrics count the order")
    expect(sample(page, "souk_webhook_events_total", type="customer.created") >= 1,
           "web metrics count the webhook")  # fmt: skip
    status, _, _ = call(base, "GET", "/metrics")
    expect(status == 404, "/metrics without the token is refused in production")


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="souk-prod-check-"))
    port, worker_port = free_port(), free_port()
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url(DATABASE),
        "REDIS_URL": REDIS_URL,
        "MEDIA_ROOT": str(scratch / "media"),
        "DOCUMENTS_ROOT": str(scratch / "documents"),
        "BACKUP_ROOT": str(scratch / "backups"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "WORKER_CONCURRENCY": "1",
        "PROXY_COUNT": "1",
        "PLATFORM_RIB": "007 780 0009876543210987 75",
        "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
        "STRIPE_SECRET_KEY": "sk_test_prodcheck",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_prodcheck",
        "METRICS_TOKEN": secrets.token_urlsafe(24),
        "CELERY_METRICS_PORT": str(worker_port),
        "PROMETHEUS_MULTIPROC_DIR": str(scratch / "web-metrics"),
        "WORKER_METRICS_DIR": str(scratch / "worker-metrics"),
        "BEAT_SCHEDULE_FILE": str(scratch / "celerybeat-schedule"),
        "FLASK_APP": "wsgi.py",
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
    }
    (scratch / "worker-metrics").mkdir()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    admin_sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{DATABASE}"')
    honcho = None
    try:
        print("release: flask db upgrade, then the demo fair", flush=True)
        for command in (["flask", "db", "upgrade"], ["flask", "seed-demo", "--no-images"]):
            subprocess.run([str(BIN / command[0]), *command[1:]], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL, timeout=300)  # fmt: skip
        print(f"honcho: web on 127.0.0.1:{port}, worker metrics on {worker_port}, beat", flush=True)
        log = open(scratch / "honcho.log", "w")  # noqa: SIM115  (closed in finally)
        honcho = subprocess.Popen(
            [str(BIN / "honcho"), "-f", "Procfile", "start", "web", "worker", "beat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_for("/readyz", lambda: call(base, "GET", "/readyz")[0] == 200)
        journey(base, env)
        print("prod-check passed", flush=True)
        return 0
    except (SmokeFailed, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        print(f"prod-check FAILED: {error}", file=sys.stderr)
        tail = (scratch / "honcho.log").read_text(errors="replace")[-6000:] if honcho else ""
        print(tail, file=sys.stderr)
        return 1
    finally:
        if honcho is not None:
            os.killpg(honcho.pid, signal.SIGTERM)
            try:
                honcho.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(honcho.pid, signal.SIGKILL)
                honcho.wait(timeout=10)
        admin_sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
