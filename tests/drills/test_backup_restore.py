"""Backups that restore: the demo marketplace after a season is backed up with `flask
backup`, restored with `flask restore` into a fresh database (and fresh media folders), and
the copy must be the same marketplace: the rows of every table, the trial balance, every
cooperative's balance and every media file.

Runs on the suite's database: PostgreSQL (pg_dump/pg_restore, into ``<db>_restore``) or
SQLite (its backup API, into a new file). The drill prints how long the backup and the
restore took: docs/deploy.md states them as the recovery time. ``DRILLS_FULL=1`` runs a
bigger season.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import support.season as season_module
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import make_url
from support.season import Season, run_season

from app import create_app
from app.backup.archive import table_counts
from app.cooperatives.models import Cooperative
from app.demo.seed import seed_demo
from app.extensions import db
from app.ledger.queries import cooperative_balance, trial_balance
from app.notifications import operations as notices

#: One restore database per suite database: the drill's runs never overlap.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("backup")]

FULL = os.environ.get("DRILLS_FULL") == "1"
ORDERS = 300 if FULL else 30


@pytest.fixture
def fresh_database(app: Flask, tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's kind: ``<db>_restore`` on PostgreSQL, else a new
    SQLite file."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    name = f"{url.database}_restore"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    yield url.set(database=name).render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def books() -> dict:
    """What must survive a restore: rows per table, the trial balance, each cooperative's
    (pending, available) balance."""
    return {
        "counts": table_counts(db.engine),
        "trial_balance": trial_balance(),
        "cooperatives": {
            cooperative_id: cooperative_balance(cooperative_id)
            for cooperative_id in db.session.scalars(select(Cooperative.id))
        },
    }


def files_under(*roots: str) -> dict[str, str]:
    found = {}
    for index, root in enumerate(roots):
        for path in sorted(Path(root).rglob("*")):
            if path.is_file():
                key = f"{index}/{path.relative_to(root)}"
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.mark.timeout(3600 if FULL else 900)
def test_the_demo_after_a_season_restores_into_a_fresh_database_with_the_same_books(
    app, committing_db, stripe_app, in_request, client, fake_stripe, monkeypatch, tmp_path,
    fresh_database,
):  # fmt: skip
    # Messages wait in the outbox, as in the season drill: delivering them is not the point.
    monkeypatch.setattr(notices, "_dispatch", lambda app, notification_id: None)
    # Real commits here (pg_dump reads from another process): a checkout through the API
    # while this session holds SQLite's write lock would wait on it, so all go through services.
    monkeypatch.setattr(season_module, "API_SHARE", 0)
    monkeypatch.setattr(Season, "_by_api", lambda season, part, to, pickup_code: False)
    started = time.monotonic()
    seed_demo(cooperatives=44 if FULL else 6, images=True, log=lambda line: None)
    papers = Path(app.config["DOCUMENTS_ROOT"]) / "drill"
    papers.mkdir(parents=True, exist_ok=True)
    (papers / "statutes.pdf").write_bytes(b"%PDF-1.4 statutes of the drill's cooperative")
    seeded = time.monotonic() - started
    run_season(Season(fake_stripe, client, seed=2026, cooperatives=4, shoppers=12), ORDERS)
    season_seconds = time.monotonic() - started - seeded
    before = books()
    media_before = files_under(app.config["MEDIA_ROOT"], app.config["DOCUMENTS_ROOT"])
    assert before["trial_balance"].total_cents == 0
    assert any(total != 0 for _code, total in before["trial_balance"].accounts)
    assert any(name.startswith("0/") for name in media_before), "the demo's photos"
    assert "1/drill/statutes.pdf" in media_before

    db.session.close()  # SQLite: let go of the write lock, as a finished request does
    started = time.monotonic()
    made = app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "backups")])
    backup_seconds = time.monotonic() - started
    assert made.exit_code == 0, made.output
    (folder,) = (tmp_path / "backups").iterdir()

    restored = create_app("testing", overrides={
        "SQLALCHEMY_DATABASE_URI": fresh_database,
        "MEDIA_ROOT": str(tmp_path / "restored-media"),
        "DOCUMENTS_ROOT": str(tmp_path / "restored-documents"),
    })  # fmt: skip
    with restored.app_context():
        try:
            started = time.monotonic()
            done = restored.test_cli_runner().invoke(args=["restore", str(folder)])
            restore_seconds = time.monotonic() - started
            assert done.exit_code == 0, done.output
            after = books()
            db.session.close()
            # The copy is in use now: a second restore must be asked for explicitly.
            again = restored.test_cli_runner().invoke(args=["restore", str(folder)])
            assert again.exit_code != 0 and "holds rows" in again.output
        finally:
            db.session.remove()
            db.engine.dispose()

    assert after["counts"] == before["counts"]
    assert after["trial_balance"] == before["trial_balance"]
    assert after["cooperatives"] == before["cooperatives"]
    restored_files = files_under(restored.config["MEDIA_ROOT"], restored.config["DOCUMENTS_ROOT"])
    assert restored_files == media_before
    shutil.rmtree(papers)  # the suite's documents folder is shared with later tests
    rows = sum(before["counts"].values())
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    print(
        f"\nbackup drill ({make_url(fresh_database).get_backend_name()}): {rows} rows, "
        f"{len(media_before)} files, backup {size / 1e6:.1f} MB; "
        f"backup {backup_seconds:.1f} s, restore {restore_seconds:.1f} s "
        f"(demo seeded in {seeded:.1f} s, season in {season_seconds:.1f} s)"
    )


def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path, fresh_database):
    from sqlalchemy import create_engine

    from app.backup.archive import BackupError, make_backup, restore_backup

    (tmp_path / "media" / "products").mkdir(parents=True)
    (tmp_path / "media" / "products" / "photo.webp").write_bytes(b"a photo")
    settings = {"MEDIA_ROOT": str(tmp_path / "media"), "DOCUMENTS_ROOT": str(tmp_path / "none")}
    target = create_engine(fresh_database)
    try:
        outcome = make_backup(target, settings, tmp_path / "backups")
        (outcome.folder / "media" / "products" / "photo.webp").write_bytes(b"another photo")
        restored = {"MEDIA_ROOT": str(tmp_path / "restored"), "DOCUMENTS_ROOT": str(tmp_path)}
        with pytest.raises(BackupError, match="damaged"):
            restore_backup(target, restored, outcome.folder)
        assert not (tmp_path / "restored").exists()
    finally:
        target.dispose()
