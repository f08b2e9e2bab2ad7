"""What every benchmark shares: the bench database, the app, gunicorn, the load generator, tables.

The machine is shared and noisy, so benchmarks report ratios of paths measured
side by side in one run: ``alternate`` runs the compared paths in turn, round
after round, and ``median`` of the per-round ratios is what gets printed.

The load generator is plain Python (threads and ``http.client``): no install
step, the same code drives the catalog pages and the checkout (where every
shopper needs a bearer token of its own), and each run is bounded both by a
request count and by a time limit, so it always stops by itself. It talks to
loopback addresses only.
"""

from __future__ import annotations

import http.client
import itertools
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

#: The database every benchmark wipes and fills; never DATABASE_URL, which may hold real data.
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/souk_bench"
#: The broker the app hands its tasks to, as in production; a Redis database of the bench's
#: own, emptied before and after a run (nothing consumes it: workers are not measured here).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
WORKERS = 2
#: What the load balancer adds to every request it forwards to the app.
BEHIND_TLS = {"X-Forwarded-Proto": "https"}


def quick() -> bool:
    """BENCH_QUICK=1 (or --quick): small sizes and short runs, for smoke tests."""
    return os.environ.get("BENCH_QUICK", "").strip().lower() in {"1", "true", "yes", "on"}


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL


def broker_url() -> str | None:
    """BENCH_REDIS_URL (default: Redis database 15 on loopback) when it answers, else None.

    None means tasks run eagerly inside the request (no broker), as ``make run`` does;
    BENCH_REDIS_URL=none asks for that.
    """
    url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL).strip()
    if not url or url.lower() == "none":
        return None
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


def empty_broker(url: str | None) -> None:
    """Drop the tasks the app queued in the bench's own Redis database during a run."""
    if url:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()


@dataclass(frozen=True)
class Bench:
    """Where a run takes place: the app bound to the bench database, and the broker."""

    app: Any
    database_url: str
    #: None: tasks run eagerly inside the request.
    broker: str | None

    def server(self, extra_env: Mapping[str, str] | None = None) -> AbstractContextManager[str]:
        """gunicorn serving this database and broker (``extra_env`` added); yields the base URL."""
        return gunicorn_server(self.database_url, self.broker, extra_env=extra_env)


# The database -------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` when it does not exist yet."""
    import psycopg

    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def make_app(url: str, broker: str | None = None):
    """The application bound to the bench database and ``broker``, for seeding and in-process runs.

    The notification channels' console output is silenced: it is not what is measured.
    """
    import logging

    from app import create_app

    logging.getLogger("app.notifications").setLevel(logging.WARNING)
    return create_app(
        "development",
        overrides={"SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(url), "REDIS_URL": broker},
    )


def _sqlalchemy_url(url: str) -> str:
    from config import normalise_database_url

    return normalise_database_url(url)


def reset_schema(app) -> None:
    """Drop every table of the bench database and build the schema by running the migrations."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()


@contextmanager
def rolled_back_session(app) -> Iterator[None]:
    """Run a use case that commits, then undo everything it wrote (to repeat it on equal data).

    ``db.session`` is bound to one connection inside an outer transaction; the
    use case's commits release savepoints, and the outer transaction is rolled
    back at the end. The test suite isolates each test with it. A plain Session:
    Flask-SQLAlchemy's own ``get_bind()`` would ignore ``bind`` and open another
    connection, outside the outer transaction.
    """
    from flask_sqlalchemy.session import _app_ctx_id
    from sqlalchemy.orm import scoped_session, sessionmaker

    from app.extensions import db

    connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=_app_ctx_id,
    )
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()


# The server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn_server(
    url: str,
    broker: str | None,
    workers: int = WORKERS,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Serve ``wsgi:app`` with gunicorn (sync workers) on a free loopback port; yield its base URL.

    Production settings against the bench database, tasks sent to ``broker``
    (None: run eagerly in the request), then ``extra_env`` (``CACHE_TYPE=NullCache``
    serves the catalog uncached). Waits for ``/healthz`` (30 s at most)
    and stops the server on exit.
    """
    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="souk-bench-"))
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(16),
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(scratch / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    env.pop("RATELIMIT_STORAGE_URI", None)
    if broker:
        env["REDIS_URL"] = broker
    env.update(extra_env or {})
    log_path = scratch / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, process, log_path)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(scratch, ignore_errors=True)


def _wait_until_healthy(base: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if request(base, "GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    tail = log_path.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"gunicorn did not become healthy at {base}:\n{tail}")


# HTTP and the load generator -------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    seconds: float


def request(
    base: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    connection: http.client.HTTPConnection | None = None,
    timeout: float = 60,
) -> Answer:
    """One HTTP request to the loopback server at ``base``; reuses ``connection`` when given.

    It carries ``X-Forwarded-Proto: https``, as the TLS-terminating load balancer
    in front of production does (production redirects plain HTTP to HTTPS).
    """
    parts = urlsplit(base)
    headers = {**BEHIND_TLS, **(headers or {})}
    own = connection is None
    connection = connection or http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=timeout
    )
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException):
        connection.close()
        raise
    finally:
        if own:
            connection.close()
    return Answer(response.status, data, time.perf_counter() - started)


@dataclass
class LoadResult:
    """What one load run saw: every latency (seconds), statuses, transport errors, wall time."""

    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    transport_errors: int = 0
    wall_seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 50) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.latencies, 95) * 1000

    @property
    def failures(self) -> int:
        """Answers other than 2xx, and requests that got no answer at all."""
        bad = sum(count for status, count in self.statuses.items() if not 200 <= status < 300)
        return bad + self.transport_errors


def run_load(
    base: str,
    path: str,
    *,
    name: str | None = None,
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """GET ``path`` from ``concurrency`` threads until ``max_requests`` or ``max_seconds``.

    Each thread keeps its own connection (reopened when the server closes it,
    as gunicorn's sync workers do after each answer). Latency is measured from
    sending the request to reading the whole body.
    """
    result = LoadResult(name or path)
    tickets = itertools.count()
    lock = threading.Lock()
    parts = urlsplit(base)
    deadline = time.perf_counter() + max_seconds

    def worker() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        latencies, statuses, errors = [], Counter(), 0
        while next(tickets) < max_requests and time.perf_counter() < deadline:
            try:
                answer = request(base, "GET", path, headers=headers, connection=connection)
            except (OSError, http.client.HTTPException):
                errors += 1
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                continue
            latencies.append(answer.seconds)
            statuses[answer.status] += 1
        connection.close()
        with lock:
            result.latencies.extend(latencies)
            result.statuses.update(statuses)
            result.transport_errors += errors

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_seconds = time.perf_counter() - started
    return result


def alternate(
    runs: Sequence[tuple[str, Callable[[], Any]]],
    rounds: int,
    *,
    budget_seconds: float | None = None,
    min_rounds: int = 2,
) -> dict[str, list[Any]]:
    """Run each named callable once per round, rotating who goes first; results by name.

    Rotating the order spreads a noisy neighbour's bursts over every path alike.
    With ``budget_seconds``, no new round starts once that much time has passed
    and ``min_rounds`` are done, so a slow machine still finishes in bounded time.
    """
    results: dict[str, list[Any]] = {name: [] for name, _ in runs}
    started = time.perf_counter()
    for round_number in range(rounds):
        out_of_time = budget_seconds is not None and time.perf_counter() - started > budget_seconds
        if round_number >= min_rounds and out_of_time:
            say(f"(time budget of {budget_seconds:.0f} s spent: {round_number} rounds run)")
            break
        shift = round_number % len(runs)
        for name, run in [*runs[shift:], *runs[:shift]]:
            results[name].append(run())
    return results


# Statistics and tables ------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile of ``values`` (nearest rank); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def ratio_text(value: float) -> str:
    return f"{value:.2f}x" if value >= 1.5 else f"{value * 100:.0f} %"


def verdict(met: bool | None) -> str:
    return "-" if met is None else ("met" if met else "NOT MET")


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table with a title, columns sized to their widest cell."""
    cells = [[str(cell) for cell in header]] + [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    lines = [title, "=" * len(title)]
    for index, row in enumerate(cells):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def say(text: str = "") -> None:
    print(text, flush=True)


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """``with stopwatch() as elapsed:`` ... ``elapsed()`` gives seconds since the block began."""
    started = time.perf_counter()
    yield lambda: time.perf_counter() - started
