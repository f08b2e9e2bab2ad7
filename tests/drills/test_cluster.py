"""Several nodes at once, for real: two gunicorn web nodes behind a loopback round-robin,
two Celery workers, one beat, one PostgreSQL, one Redis (and the same through PgBouncer in
transaction pooling mode). Shoppers spread over both nodes; payout runs start on both
nodes at the same moment; the worker sending the first Stripe transfer is killed with
SIGKILL mid-request and restarted. Afterwards the trial balance is 0, each payout is paid
once, stock is exact and every notice went out exactly once. Each web node's /metrics
(one node on two gunicorn processes) counts exactly the orders and requests that node took,
and each worker's own /metrics counts its task runs.

Small in CI (DRILL_SHOPPERS, default 12); ``make drill-cluster`` runs it bigger.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from support.cluster import (
    HoldingStripe,
    PgBouncer,
    RoundRobin,
    counts_per_process,
    free_port,
    pid_owning,
    scrape,
    total,
    wait_port,
)
from support.factories import (
    AdminFactory,
    CooperativeFactory,
    MembershipFactory,
    ProductFactory,
    UserFactory,
    issue_token,
)
from support.services import require_service
from support.smtp import SmtpServer
from support.stripe_fake import TEST_SECRET_KEY

from app import create_app
from app.accounts.models import User
from app.catalog.models import Product
from app.core.db import utcnow
from app.extensions import db
from app.fees.services import install_default_rules
from app.ledger.queries import trial_balance
from app.notifications.models import Notification, NotificationStatus
from app.orders.models import CooperativeOrder, OrderLine, PartStatus
from app.orders.services import move_part
from app.payouts.models import Payout, PayoutStatus

#: Both variants share the drill database and Redis: one worker runs them one after the other.
pytestmark = pytest.mark.xdist_group("cluster")

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SHOPPERS = int(os.environ.get("DRILL_SHOPPERS", "12"))
COOPERATIVES = int(os.environ.get("DRILL_COOPERATIVES", "3"))
STOCK = 1000
PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}


def api(port: int, method: str, path: str, token: str, body=None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    for name, value in {**PROXIED, "Authorization": f"Bearer {token}"}.items():
        request.add_header(name, value)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (loopback http)
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def post_raw(port: int, path: str, raw: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=raw, method="POST")
    for name, value in {**PROXIED, **headers}.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (loopback http)
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_until(predicate, seconds: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
            pytest.fail(f"timed out waiting for {what}\n{tail}")
        time.sleep(0.2)


@pytest.fixture
def drill_database(request) -> Iterator[str]:
    """A database of its own on DATABASE_URL's server (``<name>_cluster``), dropped after."""
    import psycopg

    url = make_url(os.environ["DATABASE_URL"])
    name = f"{url.database}_cluster"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    yield url.set(drivername="postgresql", database=name).render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


#: The drill's own Redis database: it is emptied before and after, while other tests (in other
#: xdist workers) keep theirs.
DRILL_REDIS_DB = 15


@pytest.fixture
def fresh_redis(redis_url) -> Iterator[str]:
    import redis

    given = redis.connection.parse_url(redis_url)
    own = f"redis://{given.get('host', '127.0.0.1')}:{given.get('port', 6379)}/{DRILL_REDIS_DB}"
    redis.Redis.from_url(own).flushdb()
    yield own
    redis.Redis.from_url(own).flushdb()


class Cluster:
    """The processes of the drill, started with the production configuration."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp, self.env, self.log = tmp, env, tmp / "cluster.log"
        self.processes: dict[str, subprocess.Popen] = {}
        self._log = self.log.open("ab")

    def start(self, name: str, command: list[str], **env: str) -> subprocess.Popen:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**self.env, **env}, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes[name] = process
        return process

    def web(self, name: str, port: int, workers: int, threads: int) -> Path:
        """A gunicorn node; returns its multiprocess metrics directory."""
        metrics = self.tmp / f"metrics-{name}"
        self.start(name, [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                   PORT=str(port), WEB_CONCURRENCY=str(workers), GUNICORN_THREADS=str(threads),
                   PROMETHEUS_MULTIPROC_DIR=str(metrics))  # fmt: skip
        return metrics

    def worker(self, name: str, metrics_port: int) -> subprocess.Popen:
        return self.start(name, [sys.executable, "-m", "celery", "-A", "workers.worker", "worker",
                                 "--pool=solo", "--without-gossip", "--without-mingle",
                                 "-n", f"{name}@drill", "-l", "INFO"],
                          CELERY_METRICS_PORT=str(metrics_port),
                          PROMETHEUS_MULTIPROC_DIR=str(self.tmp / f"metrics-{name}"))  # fmt: skip

    def beat(self) -> None:
        self.start("beat", [sys.executable, "-m", "celery", "-A", "workers.worker", "beat",
                            "-s", str(self.tmp / "celerybeat-schedule"), "-l", "INFO"])  # fmt: skip

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        self._log.close()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.parametrize("through_pgbouncer", [False, True], ids=["direct", "pgbouncer"])
def test_two_nodes_two_workers_and_a_killed_worker_keep_books_stock_payouts_and_notices(
    app, committing_db, tmp_path, drill_database, fresh_redis, through_pgbouncer
):
    bouncer = None
    if through_pgbouncer:
        require_service("pgbouncer", PgBouncer.ensure_installed(), "PgBouncer (Debian's pgbouncer)")
        url = make_url(drill_database)
        # Not under tmp_path: pgbouncer runs as postgres, who may not enter pytest's 0700 dirs.
        bouncer_dir = Path(tempfile.mkdtemp(prefix="souk-pgbouncer-"))
        bouncer_dir.chmod(0o755)
        bouncer = PgBouncer(bouncer_dir, url.host, url.port or 5432, url.database,
                            url.username or "postgres")  # fmt: skip
    smtp = SmtpServer()
    stripe = HoldingStripe()
    cluster: Cluster | None = None
    started: list = []
    drill = None
    celery_before = app.extensions["celery"]
    try:
        if bouncer:
            bouncer.start()
        smtp.start()
        started.append(smtp)
        stripe.start()
        run_url = (
            make_url(drill_database)
            .set(host="127.0.0.1", port=bouncer.port)
            .render_as_string(False)
            if bouncer
            else drill_database
        )
        settings = {
            "STRIPE_SECRET_KEY": TEST_SECRET_KEY,
            "STRIPE_PUBLISHABLE_KEY": "pk_test_drill",
            "STRIPE_WEBHOOK_SECRET": "whsec_drill_" + secrets.token_hex(8),
            "STRIPE_API_BASE": stripe.url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp.port),
            "PAYOUT_HOLD_DAYS": "0",
            "PAYOUT_MINIMUM_CENTS": "100",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "SECRET_KEY": secrets.token_urlsafe(48),  # API tokens are keyed with it
            "METRICS_TOKEN": secrets.token_urlsafe(24),  # production opens /metrics to it only
            "PLATFORM_RIB": "007 780 0009876543210987 75",  # production refuses the demo one
        }
        drill = create_app("testing", overrides={
            "SQLALCHEMY_DATABASE_URI": drill_database.replace("postgresql://", "postgresql+psycopg://"),
            "REDIS_URL": fresh_redis, "CELERY_ALWAYS_EAGER": False, "PAYOUT_HOLD_DAYS": 0,
            "PAYOUT_MINIMUM_CENTS": 100, "MEDIA_ROOT": settings["MEDIA_ROOT"],
            "RATELIMIT_STORAGE_URI": "memory://",
            "SECRET_KEY": settings["SECRET_KEY"]})  # fmt: skip

        # The release step and the marketplace's people, in this process.
        with drill.app_context():
            from flask_migrate import upgrade

            upgrade()
            install_default_rules()
            admin = AdminFactory()
            members, products = {}, []
            for i in range(COOPERATIVES):
                cooperative = CooperativeFactory(
                    payout_method="stripe", rib=None, stripe_account_id=f"acct_1SoukDrill{i:06d}"
                )
                members[cooperative.id] = MembershipFactory(cooperative=cooperative).user_id
                products.append(ProductFactory(cooperative=cooperative, stock=STOCK,
                                               price_cents=15000))  # fmt: skip
            shoppers = [UserFactory() for _ in range(SHOPPERS)]
            db.session.commit()
            admin_token = issue_token(admin)
            tokens = [issue_token(shopper) for shopper in shoppers]
            product_ids = [(p.id, p.cooperative_id) for p in products]
            db.session.commit()

        env = {
            **os.environ,
            **settings,
            "APP_ENV": "production",
            "DATABASE_URL": run_url,
            "DATABASE_PGBOUNCER": "1" if bouncer else "",
            "REDIS_URL": fresh_redis,
            "PROXY_COUNT": "1",
            "LOG_FORMAT": "json",
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        cluster = Cluster(tmp_path, env)
        nodes = [free_port(), free_port()]
        # web1 as production runs by default (sync workers, here two processes that add up
        # their metrics); web2 one gthread process.
        metrics_dirs = {
            nodes[0]: cluster.web("web1", nodes[0], workers=2, threads=1),
            nodes[1]: cluster.web("web2", nodes[1], workers=1, threads=4),
        }
        worker_ports = {"worker1": free_port(), "worker2": free_port()}
        workers = {name: cluster.worker(name, port) for name, port in worker_ports.items()}
        cluster.beat()
        for port in nodes:
            wait_port(port, 90)

        with RoundRobin(nodes) as proxy:
            # Shoppers, spread over both nodes by the round-robin.
            def shop(index: int) -> tuple[int, int]:
                token = tokens[index]
                product_id, cooperative_id = product_ids[index % len(product_ids)]
                status, body = api(proxy.port, "PUT", f"/api/v1/cart/items/{product_id}",
                                   token, {"quantity": 2})  # fmt: skip
                assert status == 200, body
                status, body = api(proxy.port, "POST", "/api/v1/checkout", token, {
                    "idempotency_key": uuid.uuid4().hex, "payment_method": "card",
                    "delivery": {str(cooperative_id): "home_delivery"},
                    "address": {"name": "Fatima Zahra", "line1": "12 rue Al Qods",
                                "city": "Beni Mellal", "postal_code": "23000"},
                    "phone": "0612345678"})  # fmt: skip
                assert status == 201, body
                # The card is taken by Stripe; its webhook reaches whichever node is next.
                intent_id = body["payment"]["client_secret"].split("_secret_")[0]
                event = stripe.succeed_payment(intent_id)
                raw, headers = stripe.signed_webhook(event, settings["STRIPE_WEBHOOK_SECRET"])
                status = post_raw(proxy.port, "/webhooks/stripe", raw, headers)
                assert status == 200
                return product_id, 2

            with ThreadPoolExecutor(max_workers=6) as pool:
                sold = Counter()
                for product_id, quantity in pool.map(shop, range(SHOPPERS)):
                    sold[product_id] += quantity
            assert all(count > 0 for count in proxy.served.values()), proxy.served
            taken = {port: proxy.requests[port] for port in nodes}

        # Each node's /metrics adds up its own processes: what it counted is what it took
        # (a checkout is a 201 that places an order, a webhook pays one).
        for port in nodes:
            series = scrape(
                port, {**PROXIED, "Authorization": f"Bearer {settings['METRICS_TOKEN']}"}
            )
            took = taken[port]
            checkouts, webhooks = took["POST /api/v1/checkout"], took["POST /webhooks/stripe"]
            assert checkouts > 0 and webhooks > 0, taken
            assert total(series, "souk_orders_total", event="placed") == checkouts
            assert total(series, "souk_orders_total", event="paid") == webhooks
            created = total(series, "souk_http_requests_total", method="POST", status="201")
            assert created == checkouts
            timed = total(series, "souk_http_request_duration_seconds_count")
            assert timed == sum(took.values()) == total(series, "souk_http_requests_total")
            assert total(series, "souk_http_request_duration_seconds_bucket", le="+Inf") == timed
            per_process = counts_per_process(metrics_dirs[port], "souk_http_requests_total")
            assert sum(per_process.values()) == timed + 1  # + the scrape, counted once answered
        # web1's /metrics added up two processes that both answered requests.
        answered = counts_per_process(metrics_dirs[nodes[0]], "souk_http_requests_total")
        assert len([pid for pid, count in answered.items() if count]) == 2, answered

        # The cooperatives deliver (in this process, through the services).
        with drill.app_context(), drill.test_request_context():
            parts = db.session.scalars(select(CooperativeOrder)).all()
            for part in parts:
                member = db.session.get(User, members[part.cooperative_id])
                for status in (PartStatus.CONFIRMED, PartStatus.SHIPPED, PartStatus.DELIVERED):
                    move_part(part, status, member=member)

        # Payout runs started on both nodes at the same moment.
        barrier = threading.Barrier(2)

        def run_on(port: int) -> tuple[int, dict]:
            barrier.wait(10)
            return api(port, "POST", "/api/v1/admin/payouts/run", admin_token)

        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = list(pool.map(run_on, nodes))
        assert all(status in (200, 409) for status, _ in runs), runs
        with drill.app_context():
            proposed = db.session.scalars(select(Payout)).all()
            assert sorted(p.cooperative_id for p in proposed) == sorted(members)
            payout_ids = [p.id for p in proposed]

        for index, payout_id in enumerate(payout_ids):
            port = nodes[index % 2]
            status, body = api(port, "POST", f"/api/v1/admin/payouts/{payout_id}/approve",
                               admin_token)  # fmt: skip
            assert status == 200, body
            status, body = api(port, "POST", f"/api/v1/admin/payouts/{payout_id}/execute",
                               admin_token)  # fmt: skip
            assert status == 200, body

        # The worker sending the first transfer dies mid-request; it is restarted.
        wait_until(stripe.holding.is_set, 90, "a worker to send a transfer", cluster.log)
        victim_pid = pid_owning(stripe.held_client_port, [w.pid for w in workers.values()])
        assert victim_pid is not None
        victim = next(name for name, w in workers.items() if w.pid == victim_pid)
        os.killpg(victim_pid, signal.SIGKILL)
        workers[victim].wait(10)
        stripe.released.set()  # Stripe carries out the transfer its dead client asked for
        workers[victim] = cluster.worker(victim, worker_ports[victim])

        # The send lease of the dead sender passes; beat's recovery would run; run it now.
        with drill.app_context():
            db.session.execute(
                update(Payout)
                .where(Payout.status == PayoutStatus.PROCESSING, Payout.sending_since.is_not(None))
                .values(sending_since=utcnow() - timedelta(hours=1))
            )
            db.session.commit()
            celery = drill.extensions["celery"]
            celery.send_task("workers.tasks.payouts.recover_stuck_payouts_task")

        def all_paid() -> bool:
            with drill.app_context():
                statuses = db.session.scalars(select(Payout.status)).all()
                return all(status == PayoutStatus.PAID for status in statuses)

        wait_until(all_paid, 120, "every payout to be paid", cluster.log)
        with drill.app_context():
            celery.send_task("workers.tasks.notifications.sweep_outbox")

        def outbox_empty() -> bool:
            with drill.app_context():
                return not db.session.scalar(
                    select(func.count()).where(Notification.status == NotificationStatus.PENDING)
                )

        wait_until(outbox_empty, 120, "the outbox to empty", cluster.log)
        time.sleep(1.0)  # a copy sent twice would have reached SMTP by now

        with drill.app_context():
            assert trial_balance().total_cents == 0
            # Each payout paid once: one transfer per payout key, none twice.
            transfers = stripe.transfers()
            assert sorted(t["metadata"]["payout_id"] for t in transfers) == sorted(
                str(payout_id) for payout_id in payout_ids
            )
            for product_id, _ in product_ids:
                stock = db.session.scalar(select(Product.stock).where(Product.id == product_id))
                ordered = db.session.scalar(
                    select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
                        OrderLine.product_id == product_id
                    )
                )
                assert stock == STOCK - sold[product_id] == STOCK - ordered
            notices = db.session.scalars(select(Notification)).all()
            assert notices and all(n.status == NotificationStatus.SENT for n in notices)
            emails = [n for n in notices if n.channel == "email"]
        message_ids = [mail["Message-ID"] for mail in smtp.messages]
        assert len(message_ids) == len(set(message_ids)) == len(emails)

        # Each worker exports its task runs on its own port (the restarted one's count since
        # it restarted): the outbox sweep sent above was run and timed by one of them.
        sweep = "workers.tasks.notifications.sweep_outbox"
        scraped: list[dict] = []

        def sweep_counted() -> bool:
            try:
                scraped[:] = [scrape(port) for port in worker_ports.values()]
            except OSError:  # the restarted worker is not listening yet
                return False
            runs = sum(total(series, "souk_celery_task_runs_total", task=sweep, state="SUCCESS")
                       for series in scraped)  # fmt: skip
            return runs >= 1

        wait_until(sweep_counted, 60, "a worker to count the outbox sweep", cluster.log)
        timed = sum(total(series, "souk_celery_task_duration_seconds_count", task=sweep)
                    for series in scraped)  # fmt: skip
        assert timed >= 1
        work = ("workers.tasks.payouts.execute_payout_task",
                "workers.tasks.notifications.deliver_notification")  # fmt: skip
        for task in work:
            ran = sum(total(series, "souk_celery_task_runs_total", task=task, state="SUCCESS")
                      for series in scraped)  # fmt: skip
            assert ran >= 1, task
    finally:
        stripe.released.set()
        if cluster is not None:
            cluster.stop()
        stripe.stop()
        for server in started:
            server.stop()
        if bouncer:
            bouncer.stop()
            shutil.rmtree(bouncer.workdir, ignore_errors=True)
        if drill is not None:
            drill.extensions["celery"].close()
            with drill.app_context():
                db.session.remove()
                db.engine.dispose()
        celery_before.set_current()
        celery_before.set_default()
