"""One database per pytest-xdist worker.

`make test` runs the suite in several processes (pytest-xdist). Every process rebuilds the
schema and commits for real in places (`committing_db`, the browser journeys, the real
Celery workers), so two processes must never share a database: worker ``gw0`` given
``.../souk_test`` uses ``.../souk_test_gw0``, created on first use; on SQLite every process
already has a file of its own in its temporary directory (a SQLite file named in
DATABASE_URL gets the same suffix). Run without xdist, DATABASE_URL is used as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError


def xdist_worker() -> str | None:
    """``gw0``, ``gw1``... in an xdist worker process; None in a run without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER") or None


def database_for_worker(url: str, worker: str | None) -> str:
    """`url` with the worker's suffix on the database name (or on the SQLite file's stem)."""
    if not worker:
        return url
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() == "sqlite":
        if not name or name == ":memory:":
            return url  # in memory: private to the process already
        path = Path(name)
        return parsed.set(database=str(path.with_stem(f"{path.stem}_{worker}"))).render_as_string(
            hide_password=False
        )
    return parsed.set(database=f"{name}_{worker}").render_as_string(hide_password=False)


def ensure_postgres_database(url: str) -> None:
    """Create the database named in `url` if it is missing, through the server's `postgres`
    maintenance database. Workers starting together each create their own name; a name made
    meanwhile by someone else is fine."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    name = parsed.database
    maintenance = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with maintenance.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if found is None:
                quoted = connection.dialect.identifier_preparer.quote(name)
                try:
                    connection.execute(text(f"CREATE DATABASE {quoted}"))
                except DBAPIError as error:
                    if getattr(error.orig, "sqlstate", None) != "42P04":  # duplicate_database
                        raise
    finally:
        maintenance.dispose()
