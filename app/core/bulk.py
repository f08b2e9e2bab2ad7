"""Many rows in one INSERT, for batch jobs (a payout run writes a day's releases at once).

On PostgreSQL the values travel as one array per column (``INSERT ... SELECT
unnest(...)``): a handful of parameters whatever the number of rows. A multi-row
``VALUES`` has rows x columns placeholders, which psycopg parses on the client for
every statement (it caches only statements of up to 50 parameters); at a few
hundred rows that parsing cost more than the database's work. SQLite gets the
multi-row insert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Row, Table, bindparam, cast, func, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def insert_rows(
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    returning: Sequence[Column] = (),
    skip_conflicts: bool = False,
) -> list[Row]:
    """Insert ``rows`` into ``table`` with one statement; return the ``returning`` columns of
    the rows written (in no particular order), or nothing.

    Columns a row leaves out take their ``default=`` (computed here, once per row) or
    NULL. ``skip_conflicts`` adds ``ON CONFLICT DO NOTHING``: a row a unique index
    refuses is left out, not the statement. The statement runs at once, in the
    session's transaction.
    """
    if not rows:
        return []
    complete = _with_defaults(table, rows)
    names = list(complete[0])
    if db.session.get_bind().dialect.name == "postgresql":
        arrays = [
            cast(
                bindparam(
                    f"rows_{name}",
                    [row[name] for row in complete],
                    type_=postgresql.ARRAY(table.c[name].type),
                ),
                postgresql.ARRAY(table.c[name].type),
            )
            for name in names
        ]
        statement = postgresql.insert(table).from_select(
            names, select(*(func.unnest(array) for array in arrays)), include_defaults=False
        )
        if skip_conflicts:
            statement = statement.on_conflict_do_nothing()
        if returning:
            return list(db.session.execute(statement.returning(*returning)).all())
        db.session.execute(statement)
        return []
    statement = sqlite.insert(table)
    if skip_conflicts:
        statement = statement.on_conflict_do_nothing()
    if returning:
        return list(db.session.execute(statement.returning(*returning), complete).all())
    db.session.execute(statement, complete)
    return []


def _with_defaults(table: Table, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every row with the same keys: those given, plus each column with a Python default."""
    given = {name for row in rows for name in row}
    defaults = {
        column.name: column.default
        for column in table.columns
        if column.name not in given and column.default is not None
    }
    complete = []
    for row in rows:
        filled = dict.fromkeys(given) | dict(row)
        for name, default in defaults.items():
            filled[name] = default.arg(None) if default.is_callable else default.arg
        complete.append(filled)
    return complete
