"""Run side effects (task enqueues, emails) only after the transaction commits.

A callback registered during a use case runs once the session commits, and is
dropped if it rolls back, so a task never sees a row that does not exist.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_KEY = "souk_after_commit"
_COMMITTED = "souk_committed_callbacks"


def after_commit(session: Session, callback: Callable[[], object]) -> None:
    """Run ``callback`` once ``session``'s transaction has committed; drop it on rollback.

    Raises ``RuntimeError`` when ``watch_commits`` was not called in this process: the
    callback would otherwise never run.
    """
    if not event.contains(Session, "after_transaction_end", _run_callbacks):
        raise RuntimeError("after_commit needs watch_commits() (called by create_app)")
    session.info.setdefault(_KEY, []).append(callback)


def watch_commits() -> None:
    """Listen to every ORM session for commits and rollbacks (once per process)."""
    for name, listener in (
        ("after_commit", _keep_callbacks),
        ("after_transaction_end", _run_callbacks),
        ("after_soft_rollback", _drop_callbacks),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _keep_callbacks(session: Session) -> None:
    # SQLAlchemy also calls this when a savepoint is released: the real commit comes later.
    if session.in_nested_transaction():
        return
    session.info[_COMMITTED] = [*session.info.get(_COMMITTED, []), *session.info.pop(_KEY, [])]


def _run_callbacks(session: Session, transaction) -> None:
    """Run once the committed transaction has given its connection back to the pool: a
    callback that opens a session of its own (eager delivery) then never holds two
    connections per request, which under load would empty the pool and stall every request."""
    if transaction.parent is not None:
        return
    callbacks = session.info.pop(_COMMITTED, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:
            # The commit stands; the outbox sweep delivers what a failed enqueue left behind.
            log.exception("after-commit callback %r failed", callback)


def _drop_callbacks(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)
