"""Many rows in one INSERT: every row written once, defaults filled, conflicts skipped."""

from __future__ import annotations

from sqlalchemy import select

from app.core.bulk import insert_rows
from app.extensions import db
from app.ledger.models import Account

ACCOUNTS = Account.__table__


def test_every_row_is_written_with_its_defaults_and_returned():
    written = insert_rows(
        ACCOUNTS,
        [
            {"code": "platform:revenue", "kind": "platform"},
            {"code": "clearing:cash", "kind": "clearing"},
        ],
        returning=(ACCOUNTS.c.code, ACCOUNTS.c.id),
    )

    assert {code for code, _ in written} == {"platform:revenue", "clearing:cash"}
    rows = db.session.execute(
        select(Account.code, Account.created_at, Account.cooperative_id)
    ).all()
    assert len(rows) == 2
    assert all(
        created_at is not None and cooperative is None for _, created_at, cooperative in rows
    )


def test_a_row_a_unique_index_refuses_is_skipped_and_the_others_written():
    insert_rows(ACCOUNTS, [{"code": "platform:revenue", "kind": "platform"}])

    written = insert_rows(
        ACCOUNTS,
        [
            {"code": "platform:revenue", "kind": "platform"},
            {"code": "clearing:bank", "kind": "clearing"},
        ],
        returning=(ACCOUNTS.c.code,),
        skip_conflicts=True,
    )

    assert [code for (code,) in written] == ["clearing:bank"]
    assert sorted(db.session.scalars(select(Account.code))) == ["clearing:bank", "platform:revenue"]


def test_nothing_to_insert_runs_no_statement(count_queries):
    with count_queries() as statements:
        assert insert_rows(ACCOUNTS, [], returning=(ACCOUNTS.c.id,)) == []
    assert statements == []
