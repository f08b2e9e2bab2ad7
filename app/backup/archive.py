"""Backups that restore: the database and the files, in one folder with a manifest.

``make_backup()`` writes ``souk-backup-<UTC time>/`` under the backup root:

- ``database.dump``: PostgreSQL's ``pg_dump --format=custom`` (one consistent snapshot), or
  ``database.sqlite3``: SQLite's online backup API (a consistent copy while the app runs);
- ``media/`` and ``documents/``: copies of MEDIA_ROOT (product photos) and DOCUMENTS_ROOT
  (cooperatives' papers), taken after the database, so every file the database names is there;
- ``manifest.json``: when, which migration, the rows of every table (counted in the dump's
  own snapshot), and each file's size and SHA-256 (the database file's too).

The folder is written as ``.partial`` and renamed when complete: a backup cut short never
looks like one. ``restore_backup()`` checks every checksum before touching anything, refuses
a database that holds rows (unless forced), loads the database (``pg_restore --no-owner``, or
the SQLite backup API the other way), copies the files back, and compares the rows of every
table with the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, Engine

MANIFEST = "manifest.json"
FORMAT = 1
#: Folders of the backup and the setting each is copied from and back to.
FILE_ROOTS = {"media": "MEDIA_ROOT", "documents": "DOCUMENTS_ROOT"}
#: A database with rows in any of these holds a marketplace: a restore would replace it. A
#: freshly migrated one has none (the migrations fill only Alembic's version and the search
#: vocabulary), so `flask db upgrade` then `flask restore` is allowed.
DATA_TABLES = {"users", "cooperatives", "products", "orders", "ledger_entries"}


class BackupError(RuntimeError):
    """A backup or a restore that cannot be made, or a backup that is not intact."""


@dataclass(frozen=True)
class Outcome:
    folder: Path
    manifest: dict[str, Any]
    seconds: float


def make_backup(engine: Engine, settings: dict[str, Any], root: Path) -> Outcome:
    """Back up the database behind ``engine`` and the file roots named in ``settings``."""
    started = time.monotonic()
    taken_at = datetime.now(UTC)
    folder = Path(root) / f"souk-backup-{taken_at:%Y%m%dT%H%M%SZ}"
    if folder.exists():
        raise BackupError(f"{folder} already exists; wait a second and back up again.")
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    kind = engine.dialect.name
    if kind == "postgresql":
        database_file = partial / "database.dump"
        counts = _pg_dump(engine, database_file)
    elif kind == "sqlite":
        database_file = partial / "database.sqlite3"
        _sqlite_copy(_sqlite_path(engine.url), database_file)
        copy = create_engine(URL.create("sqlite", database=str(database_file)))
        counts = table_counts(copy)
        copy.dispose()
    else:
        raise BackupError(f"cannot back up a {kind} database")
    files: dict[str, dict[str, Any]] = {}
    for name, setting in FILE_ROOTS.items():
        source = Path(settings[setting])
        if source.is_dir():
            shutil.copytree(source, partial / name)
        files.update(_checksums(partial, name))
    manifest = {
        "format": FORMAT,
        "taken_at": taken_at.isoformat(),
        "database": {
            "kind": kind,
            "file": database_file.name,
            "revision": _revision(engine),
            **_file_facts(database_file),
        },
        "counts": counts,
        "files": files,
        "seconds": round(time.monotonic() - started, 3),
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    partial.rename(folder)
    return Outcome(folder, manifest, time.monotonic() - started)


def restore_backup(
    engine: Engine, settings: dict[str, Any], folder: Path, *, force: bool = False
) -> Outcome:
    """Load the backup in ``folder`` into the database behind ``engine`` and the file roots.

    Raises BackupError when the backup is damaged, made from another kind of database, or
    the database holds rows and ``force`` is not given.
    """
    started = time.monotonic()
    folder = Path(folder)
    manifest = read_manifest(folder)
    kind = engine.dialect.name
    if manifest["database"]["kind"] != kind:
        raise BackupError(
            f"this backup is of a {manifest['database']['kind']} database, not {kind}"
        )
    in_use = {name: n for name, n in table_counts(engine).items() if n and name in DATA_TABLES}
    if in_use and not force:
        found = ", ".join(f"{n} in {table}" for table, n in sorted(in_use.items())[:5])
        raise BackupError(
            f"the database holds rows ({found}); restore into an empty database, "
            "or give --force to replace them"
        )
    database_file = folder / manifest["database"]["file"]
    engine.dispose()
    if kind == "postgresql":
        _empty_postgres(engine)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname"],
             engine, str(database_file))  # fmt: skip
    else:
        _sqlite_copy(database_file, _sqlite_path(engine.url))
    engine.dispose()
    for name, setting in FILE_ROOTS.items():
        if (folder / name).is_dir():
            shutil.copytree(folder / name, Path(settings[setting]), dirs_exist_ok=True)
    restored = table_counts(engine)
    differing = {
        table: (count, restored.get(table))
        for table, count in manifest["counts"].items()
        if restored.get(table) != count
    }
    if differing:
        raise BackupError(f"restored rows differ from the manifest: {differing}")
    return Outcome(folder, manifest, time.monotonic() - started)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The backup's manifest, once every file it lists has its recorded size and checksum."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{folder} is not a backup (no {MANIFEST}; an unfinished one ends .partial)"
        )
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    expected = {manifest["database"]["file"]: manifest["database"], **manifest["files"]}
    for relative, facts in expected.items():
        file = Path(folder) / relative
        if not file.is_file() or _file_facts(file) != {
            "bytes": facts["bytes"],
            "sha256": facts["sha256"],
        }:
            raise BackupError(f"{relative} is missing or damaged in {folder}")
    return manifest


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows of every table of the database, by name."""
    with engine.connect() as connection:
        return _counts(connection)


def _counts(connection: Connection) -> dict[str, int]:
    quote = connection.dialect.identifier_preparer.quote
    return {
        name: int(connection.scalar(text(f"SELECT count(*) FROM {quote(name)}")) or 0)  # noqa: S608
        for name in sorted(inspect(connection).get_table_names())
    }


def _pg_dump(engine: Engine, target: Path) -> dict[str, int]:
    """Dump the database into ``target`` and count its rows, both in one snapshot: the
    counts are the dump's even while the marketplace goes on writing."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            counts = _counts(connection)
            _run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                  "--file", str(target)], engine)  # fmt: skip
    return counts


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if "alembic_version" not in inspect(connection).get_table_names():
            return None
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI for the PostgreSQL tools and the environment carrying its password."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], engine: Engine, *last: str) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt install postgresql-client)")
    uri, env = _libpq(engine.url)
    done = subprocess.run(  # noqa: S603 (our own command line)
        [tool, *command[1:], uri, *last], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _empty_postgres(engine: Engine) -> None:
    """Drop everything in the public schema (extensions included) so the dump loads whole."""
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page (the online backup API: readers and writers may
    go on; the copy is one consistent state)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as reading, sqlite3.connect(target) as writing:
        reading.backup(writing)
    reading.close()
    writing.close()


def _file_facts(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _checksums(folder: Path, name: str) -> dict[str, dict[str, Any]]:
    root = folder / name
    if not root.is_dir():
        return {}
    return {
        str(path.relative_to(folder)): _file_facts(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
