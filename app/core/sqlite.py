"""SQLite settings that make the embedded database behave for a web app.

pysqlite's own transaction handling breaks SAVEPOINTs and starts transactions
late; we take over (documented SQLAlchemy recipe) and begin every transaction
with BEGIN IMMEDIATE, so concurrent writers queue on the busy timeout instead
of failing with "database is locked" when a reader tries to upgrade.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database and engine.url.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            # With WAL, NORMAL syncs at checkpoints, not at every commit: a crash of the app
            # loses nothing, a power cut at most the last commits (SQLite is for development).
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
