"""Migration 0004 on a database that already holds the demo marketplace (a running site),
seeded by the demo code rather than from a snapshot (tests/migrations covers that)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session
from support.catalog_search import search_products

from app import create_app
from app.catalog import search_watch
from app.catalog.models import Product
from app.demo.seed import seed_demo
from app.extensions import db


def _before_search() -> str:
    """The revision 0004 follows (the chain is set when branches merge)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision("0004").down_revision


@pytest.fixture
def site_before_search(app: Flask, committing_db, tmp_path: Path) -> Iterator[Flask]:
    """A SQLite site at the revision before 0004 holding the demo data, seeded by code that
    did not index anything (the search watch is off while seeding, as before 0004).

    The code seeds the newest schema, which later revisions added to: it seeds at the
    newest revision, then the site goes back down to the one before 0004 (the rows stay)."""
    site = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'site.sqlite3'}",
            "MEDIA_ROOT": str(tmp_path / "media"),
        },
    )
    listeners = [
        ("after_flush", search_watch._note_changes),
        ("after_flush_postexec", search_watch._rebuild_documents),
    ]
    with site.app_context():
        upgrade()
        for name, listener in listeners:
            event.remove(Session, name, listener)
        try:
            seed_demo(date(2026, 5, 14), log=lambda line: None, cooperatives=6, images=False)
        finally:
            search_watch.watch_search_documents()
        db.session.remove()
        downgrade(revision=_before_search())
        yield site
        db.session.remove()
        db.engine.dispose()
    app.extensions["celery"].set_default()


def test_upgrade_indexes_the_products_already_on_sale(site_before_search):
    upgrade()

    products = db.session.scalar(select(func.count()).select_from(Product))
    documents = db.session.scalar(text("SELECT count(*) FROM product_search"))
    assert products > 0 and documents == products
    assert db.session.scalar(text("SELECT count(*) FROM search_words")) > 100
    honey, total = search_products(q="l3sel", per_page=100)
    assert total > 0
    # Name matches first: the honeys, whatever else mentions honey (a cooperative, a recipe).
    assert "miel" in honey[0].name.lower()
    assert {product.category.slug for product in honey[:3]} == {"honey"}
    in_arabic, _ = search_products(q="زيت الزيتون")
    assert in_arabic


def test_downgrade_then_upgrade_again(site_before_search):
    upgrade()
    downgrade(revision=_before_search())
    assert "product_search" not in db.inspect(db.engine).get_table_names()
    upgrade()
    assert search_products(q="huile olive")[1] > 0
