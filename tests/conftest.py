"""Fixtures shared by the whole suite.

The app and its schema are built once per session by running the migrations
(which tests them too). Each test runs inside an outer transaction that is
rolled back at the end; the code under test commits for real into savepoints.
Tests that need real commits across threads or processes use `committing_db`.

`make test` runs the suite in parallel (pytest-xdist): each worker process has a database
of its own (see support/databases.py), its own temporary directory (media, SQLite file)
and its own local servers on ports the system picks (fake Stripe, SMTP, served site).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.nodeid import NodeId
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

os.environ["APP_ENV"] = "testing"

from support.databases import database_for_worker, ensure_postgres_database, xdist_worker
from support.services import require_service

from app import create_app
from app.extensions import db
from bench.common import rolled_back_session
from config import normalise_database_url

pytest_plugins = ["support.factories", "support.stripe_fixtures", "support.smtp"]


def pytest_configure(config: pytest.Config) -> None:
    """In an xdist worker, DATABASE_URL names the worker's own database, for the app and for
    any process a test starts with this environment (a Celery worker, a command)."""
    if os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = database_for_worker(os.environ["DATABASE_URL"], xdist_worker())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _refuse_shared_node_ids(items)
    _slow_tests_first(items)
    if getattr(config.option, "loadgroup", False):
        _groups_in_node_ids(items)


def _groups_in_node_ids(items: list[pytest.Item]) -> None:
    """Put each `xdist_group` into the test's node id (``...::test_x[ar]@browser``), where
    `--dist loadgroup` reads it to send the group's tests to one worker.

    pytest-xdist 3.8 writes it to ``item._nodeid``, which pytest 9 no longer reads (the id is
    built from ``item._id``): every group was silently spread over the workers."""
    for item in items:
        names = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


def _refuse_shared_node_ids(items: list[pytest.Item]) -> None:
    """Two tests with one node id are one test to pytest-xdist, which schedules by id: all but
    one would silently not run. Refuse such a collection."""
    counts = Counter(item.nodeid for item in items)
    repeated = sorted(nodeid for nodeid, count in counts.items() if count > 1)
    if repeated:
        raise pytest.UsageError(
            "tests sharing a node id (under xdist only one of each would run): "
            + ", ".join(repeated[:5])
        )


def _slow_tests_first(items: list[pytest.Item]) -> None:
    """Tests marked `slow` run first, the others keep their order. pytest-xdist hands tests
    to idle workers in this order: a long test handed out near the end would keep one worker
    busy while the others have nothing left to do."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production: `g` and the
    database session never leak between requests or into the test body."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _tmp_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="souk-tests-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def app(_tmp_root: Path) -> Iterator[Flask]:
    database_url = normalise_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{_tmp_root / 'test.sqlite3'}"
    )
    ensure_postgres_database(database_url)
    app = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MEDIA_ROOT": str(_tmp_root / "media"),
            "DOCUMENTS_ROOT": str(_tmp_root / "documents"),
        },
    )
    app.test_client_class = FreshContextClient
    Path(app.config["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
    with app.app_context():
        _reset_schema()
    yield app
    with app.app_context():
        db.engine.dispose()


def _reset_schema() -> None:
    """Drop whatever a previous run left, then build the schema by running every migration."""
    from flask_migrate import upgrade

    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()


@pytest.fixture(autouse=True)
def _session_celery_is_current(app: Flask) -> None:
    """Shared tasks bind to the current Celery app; a test that built a second Flask app
    (e.g. for a real worker) must not leave later tests running tasks against it."""
    app.extensions["celery"].set_default()
    app.extensions["celery"].set_current()


@pytest.fixture(autouse=True)
def _db_isolation(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    if "committing_db" in request.fixturenames:
        with app.app_context():
            yield
        return
    with app.app_context(), rolled_back_session(app):
        yield


@pytest.fixture
def committing_db(app: Flask) -> Iterator[None]:
    """Real commits (for tests with several connections); every table is emptied afterwards."""
    yield
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def count_queries(app: Flask):
    """Count the SQL statements run inside a `with count_queries() as counter:` block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def before_execute(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before_execute)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before_execute)

    return counting


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    available = False
    if url:
        import redis

        try:
            available = bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
        except redis.RedisError:
            available = False
    require_service("redis", available, "Redis at REDIS_URL")
    return url  # type: ignore[return-value]


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres"):
        url = os.environ.get("DATABASE_URL", "")
        require_service("postgres", url.startswith("postgres"), "PostgreSQL at DATABASE_URL")
