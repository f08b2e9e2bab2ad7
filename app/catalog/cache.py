"""Public catalog answers kept in the cache, and the catalog generation that retires them.

An answer is stored under its request (path, normalised arguments, host, the
reader's language) and the **catalog generation**, a number kept in the cache
backend (Redis INCR with Redis, a counter in the process otherwise). Every
commit that changes what the catalog shows bumps the generation, so the next
request looks under a new key and computes a fresh answer; the old entries are
never read again and expire after ``CATALOG_CACHE_SECONDS``, which also bounds
how long an answer lives if a change escaped the watch (a raw SQL write).

The watch is on the ORM session, so no write path can forget it: objects of the
watched tables flushed (insert, update, delete) and ORM-enabled bulk
``update()``/``delete()``/``insert()`` statements mark the session;
``after_commit`` bumps once; a rollback of the whole transaction forgets the
mark. A change of a product's stock alone marks nothing (``FRESH_COLUMNS``):
answers are served with the stock read at that moment (one query per page), so
checkouts and cancellations leave the cached bodies in place. Which products an
``in_stock`` list holds may lag behind a sell-out until the next catalog change
or expiry; the stock each shows is always current, and checkout refuses to sell
more than there is.

The cache never breaks a page: any error of the backend (Redis down) is logged,
the answer is computed as if nothing were cached, and the backend is left alone
for ``BACKEND_RETRY_SECONDS`` so an outage costs each request nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from flask import current_app, has_app_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from app.core.language import current_language
from app.extensions import cache

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Tables whose rows change what the catalog shows: products, their labels and their photos,
#: categories, cooperatives (status, name, province, legal form, translations, story,
#: pictures), their documents (a label shows as certified with its certificate on file),
#: fairs and stands (the fair filter), fee rules (the fair-trade split).
WATCHED_TABLES = frozenset(
    {
        "products",
        "product_labels",
        "product_photos",
        "categories",
        "cooperatives",
        "cooperative_documents",
        "fairs",
        "stands",
        "fee_rules",
    }
)
GENERATION_KEY = "generation"
#: After an error of the backend, it is not asked again for this many seconds.
BACKEND_RETRY_SECONDS = 5.0
_CHANGED = "catalog_changed"

_backend_down_until = 0.0


def cached_answer(
    kind: str,
    compute: Callable[[], T],
    keep: Callable[[T], bool] = bool,
    refresh: Callable[[T], T] | None = None,
) -> T:
    """The answer to this request from the cache, else ``compute()`` (stored when ``keep``).

    ``refresh`` updates an answer read from the cache with what answers never keep (the
    stock, ``FRESH_COLUMNS``); a computed answer is fresh already.

    ``kind`` names what is cached (two kinds of answer to one URL must differ).
    The generation is read before computing: a change committed meanwhile bumps
    it, so an answer computed from older rows is stored under a key no one reads.
    Values must pickle (Redis); keep them to plain data, strings and bytes.
    """
    seconds = current_app.config.get("CATALOG_CACHE_SECONDS", 0)
    if seconds <= 0 or not _backend_usable():
        return compute()
    generation = current_generation()
    if generation is None:
        return compute()
    key = answer_key(kind, generation)
    found = _ask(lambda: cache.get(key))
    if found is not None:
        return found if refresh is None else refresh(found)
    answer = compute()
    if keep(answer):
        _ask(lambda: cache.set(key, answer, timeout=seconds))
    return answer


def answer_key(kind: str, generation: int, arguments: Iterable[Hashable] | None = None) -> str:
    """``kind``, generation, language, host (photo URLs are absolute), path and sorted arguments."""
    if arguments is None:
        arguments = sorted(request.args.items(multi=True))
    query = "&".join(f"{name}={value}" for name, value in arguments)
    return f"{kind}:{generation}:{current_language()}:{request.host_url}{request.path}?{query}"


def current_generation() -> int | None:
    """The catalog generation; None when the backend cannot be reached or keeps nothing.

    A missing generation (first use, Redis flushed or evicted) starts at the current time
    in microseconds, never at a number an older entry may still be stored under.
    """
    generation = _ask(lambda: cache.cache.get(GENERATION_KEY))
    if generation is None:
        _ask(lambda: cache.cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=0))
        generation = _ask(lambda: cache.cache.get(GENERATION_KEY))
    return generation if isinstance(generation, int) else None


def bump_generation() -> None:
    """Retire every cached answer (after a commit that changed the catalog)."""
    if current_generation() is not None:
        _ask(lambda: cache.cache.inc(GENERATION_KEY))


def _backend_usable() -> bool:
    return time.monotonic() >= _backend_down_until


def _ask(call: Callable[[], Any]) -> Any:
    """``call()`` on the backend; None (and the backend rested) when it fails."""
    global _backend_down_until
    if not _backend_usable():
        return None
    try:
        return call()
    except Exception:  # the cache is an optimisation: any failure means "not cached"
        log.warning("catalog cache unreachable; answering without it", exc_info=True)
        _backend_down_until = time.monotonic() + BACKEND_RETRY_SECONDS
        return None


# Watching the commits ---------------------------------------------------------------


def watch_catalog_commits() -> None:
    """Listen to every ORM session (once per process, whatever the number of apps)."""
    for name, listener in (
        ("after_flush", _note_flushed_changes),
        ("do_orm_execute", _note_bulk_statement),
        ("after_commit", _bump_after_commit),
        ("after_soft_rollback", _forget_after_rollback),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _watched(table: Any) -> bool:
    return getattr(table, "name", None) in WATCHED_TABLES


#: Columns of products that answers never keep: stock is read fresh on every answer
#: (one query per page), so the checkouts of a busy fair retire nothing.
FRESH_COLUMNS = frozenset({"stock", "updated_at"})


def _note_flushed_changes(session: Session, _flush: UOWTransaction) -> None:
    # after_flush still shows the flush's new, dirty and deleted objects.
    for instance in (*session.new, *session.deleted):
        if _watched(getattr(instance, "__table__", None)):
            session.info[_CHANGED] = True
            return
    for instance in session.dirty:
        if _watched(getattr(instance, "__table__", None)) and _changes_what_is_kept(instance):
            session.info[_CHANGED] = True
            return


def _changes_what_is_kept(instance: Any) -> bool:
    state = inspect(instance)
    return any(
        attribute.history.has_changes()
        for attribute in state.attrs
        if attribute.key not in FRESH_COLUMNS or instance.__table__.name != "products"
    )


def _note_bulk_statement(state: ORMExecuteState) -> None:
    writes = state.is_update or state.is_delete or state.is_insert
    table = getattr(state.statement, "table", None)
    if writes and _watched(table) and not _sets_only_fresh_columns(state):
        state.session.info[_CHANGED] = True


def _sets_only_fresh_columns(state: ORMExecuteState) -> bool:
    """An UPDATE of products that sets only stock (checkout, cancellation)."""
    if not state.is_update or state.statement.table.name != "products":
        return False
    values = getattr(state.statement, "_values", None) or {}
    names = {getattr(column, "key", column) for column in values}
    return bool(names) and names <= FRESH_COLUMNS


def _bump_after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context():
        bump_generation()


def _forget_after_rollback(session: Session, previous: SessionTransaction) -> None:
    # A savepoint rolled back may follow changes that will still commit: keep the mark.
    if previous.parent is None and not previous.nested:
        session.info.pop(_CHANGED, None)
