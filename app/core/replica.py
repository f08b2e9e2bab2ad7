"""Reads a read replica may serve (``DATABASE_REPLICA_URL``).

The replica is the Flask-SQLAlchemy bind ``"replica"`` (``SQLALCHEMY_BINDS``, set by
config.load_config). It is used only where a module asks for it, by calling
``read_session()``: the public catalog's reads (app/catalog/queries.py, summaries.py) and the
reports (app/reports). Everything else (a shopper's cart and orders, the dashboard's own
products, and every read a use case makes before it writes) goes through ``db.session``, the
primary, so a shopper always reads what they have just written.

The replica's rows live in a session of their own, never in ``db.session``'s identity map: a
product read from a lagging replica can never stand in for the primary's row in a use case.
Without a replica ``read_session()`` is ``db.session`` itself.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

#: The bind key of the replica in SQLALCHEMY_BINDS.
REPLICA = "replica"


class ReplicaIsReadOnly(RuntimeError):
    """Something tried to write through the replica's session."""


def replica_configured() -> bool:
    return REPLICA in (current_app.config.get("SQLALCHEMY_BINDS") or {})


def read_session() -> Session:
    """The session for reads the replica may serve: the replica's (one per app context),
    or the primary's ``db.session`` when no replica is configured."""
    if not replica_configured():
        return db.session
    session = g.get("_replica_session")
    if session is None:
        session = Session(bind=db.engines[REPLICA], autoflush=False, expire_on_commit=False)
        event.listen(session, "before_flush", _refuse_writes)
        g._replica_session = session
    return session


def _refuse_writes(session: Session, flush_context, instances) -> None:
    raise ReplicaIsReadOnly("the replica's session only reads; write through db.session")


def close_read_session(exception: BaseException | None = None) -> None:
    """End the app context's replica session (its connection goes back to the pool)."""
    session = g.pop("_replica_session", None)
    if session is not None:
        session.close()


def register(app: Flask) -> None:
    """Close each app context's replica session at its end (called by the factory)."""
    app.teardown_appcontext(close_read_session)
