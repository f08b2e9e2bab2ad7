"""Every revision after the first upgrades a database that already holds the demo fair.

`demo_at_0001.json.gz` is the demo data as `flask seed-demo` wrote it when the
schema was at revision 0001 (every table, row by row). The test builds a
database of its own at 0001, loads those rows, upgrades to the newest revision
and checks that nothing was lost and that the application still reads and
seeds it. Real databases upgrade this way; the snapshot is never regenerated.
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Boolean, Date, DateTime, MetaData, create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from config import normalise_database_url

SNAPSHOT = Path(__file__).with_name("demo_at_0001.json.gz")
FIRST_REVISION = "0001"


def _snapshot() -> dict[str, list[dict]]:
    return json.loads(gzip.decompress(SNAPSHOT.read_bytes()))


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database of this test's own: a SQLite file, or a PostgreSQL database made and dropped."""
    base = os.environ.get("DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    url = make_url(normalise_database_url(base))
    name = f"{url.database}_upgrade_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def upgrade_app(empty_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "DOCUMENTS_ROOT": str(tmp_path / "documents"),
        },
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _value(column, value):
    """A JSON value back to what the column takes (dates were written as ISO text)."""
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return datetime.datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return datetime.date.fromisoformat(value)
    if isinstance(column.type, Boolean):
        return bool(value)
    return value


def _load(rows_by_table: dict[str, list[dict]]) -> None:
    """Insert the snapshot into the schema as it stands, parents first; move id sequences on."""
    metadata = MetaData()
    metadata.reflect(db.engine)
    with db.engine.begin() as connection:
        for table in metadata.sorted_tables:
            rows = rows_by_table.get(table.name) or []
            if rows:
                connection.execute(
                    table.insert(),
                    [
                        {key: _value(table.c[key], value) for key, value in row.items()}
                        for row in rows
                    ],
                )
            if connection.dialect.name == "postgresql" and "id" in table.c and rows:
                highest = select(func.max(table.c.id)).scalar_subquery()
                sequence = func.pg_get_serial_sequence(table.name, "id")
                connection.execute(select(func.setval(sequence, highest)))


def _counts(table_names) -> dict[str, int]:
    metadata = MetaData()
    metadata.reflect(db.engine, only=list(table_names))
    with db.engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(metadata.tables[name]))
            for name in table_names
        }


def test_every_revision_upgrades_a_database_holding_the_demo_fair(
    upgrade_app: Flask, committing_db: None
):
    """(``committing_db``: the app's own session, not the suite's rolled-back one.)"""
    from flask_migrate import upgrade

    from app.demo.seed import seed_demo

    snapshot = _snapshot()
    with upgrade_app.app_context():
        upgrade(revision=FIRST_REVISION)
        _load(snapshot)
        upgrade()

        counts = _counts(snapshot)
        assert counts == {name: len(rows) for name, rows in snapshot.items()}
        # Every model reads its rows through the ORM at the newest schema.
        for mapper in db.Model.registry.mappers:
            db.session.execute(select(mapper.class_).limit(5)).all()
        # 0007: a product's one photo became the first (main) photo of its gallery.
        photographed = db.session.execute(
            text("SELECT id, image_path FROM products WHERE image_path IS NOT NULL")
        ).all()
        galleries = db.session.execute(
            text("SELECT product_id, image_path, position FROM product_photos")
        ).all()
        assert sorted(galleries) == sorted((id_, path, 0) for id_, path in photographed)
        # Seeding again finds the demo complete (the upgraded rows are what the code
        # expects) but for the papers: the demo of 0001 filed none, and food sellers now
        # need their ONSSA authorisation on file to put food on sale. Then nothing is missing.
        report = seed_demo(datetime.date(2026, 11, 20), images=False, log=lambda *_: None)
        added = {kind: count for kind, count in report.created.items() if count}
        onssa_numbers = sum(1 for row in snapshot["cooperatives"] if row.get("onssa_number"))
        assert added == {"documents": onssa_numbers}
        again = seed_demo(datetime.date(2026, 11, 20), images=False, log=lambda *_: None)
        assert sum(again.created.values()) == 0
