"""Bulk-write a ledger for the payouts benchmark: sales, releases and payouts, with COPY.

Card sales of one cooperative's part each (4 entries: stripe clearing, the
cooperative's pending, platform revenue, solidarity fund), their release after
the hold period (2 entries), and a weekly payout per cooperative (2 entries),
every transaction balanced, with the orders, parts and "delivered" events. Parts
not released yet carry ``earnings_held_since`` (their delivery), as delivering
them sets it; the release step reads it. Ids are handed out here and the
sequences moved past them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, text

from bench.seed import Catalog, copy_rows

#: Entries of one sale: its card payment (4) and its release (2).
SALE_ENTRIES = 6


@dataclass
class Ledger:
    """Ids handed out so far and the accounts, for writing rows with COPY."""

    now: datetime
    shopper_id: int
    cooperative_ids: list[int]
    #: Account id by code.
    accounts: dict[str, int]
    next_id: dict[str, int] = field(default_factory=dict)
    entries: int = 0
    payout_week: int = 0

    def take(self, table_name: str) -> int:
        value = self.next_id.get(table_name, 1)
        self.next_id[table_name] = value + 1
        return value


@dataclass
class Rows:
    orders: list[tuple] = field(default_factory=list)
    parts: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    transactions: list[tuple] = field(default_factory=list)
    entries: list[tuple] = field(default_factory=list)


ORDER_COLUMNS = (
    "id", "number", "shopper_id", "status", "payment_method", "idempotency_key",
    "subtotal_cents", "shipping_cents", "total_cents", "contact_name", "contact_phone",
    "address_line1", "address_city", "address_postal_code", "placed_at", "created_at",
    "updated_at",
)  # fmt: skip
PART_COLUMNS = (
    "id", "order_id", "cooperative_id", "status", "delivery_method", "shipping_cents",
    "subtotal_cents", "created_at", "updated_at", "earnings_held_since",
)  # fmt: skip
EVENT_COLUMNS = ("id", "part_id", "from_status", "to_status", "note", "at")
TRANSACTION_COLUMNS = (
    "id", "kind", "idempotency_key", "memo", "occurred_at", "created_at", "order_id",
    "cooperative_order_id",
)  # fmt: skip
ENTRY_COLUMNS = ("id", "transaction_id", "account_id", "amount_cents")


def open_ledger(app, catalog: Catalog) -> Ledger:
    """Accounts for every cooperative and the platform, and a shopper who placed the orders."""
    from app.accounts.models import User
    from app.core.db import utcnow
    from app.extensions import db
    from app.ledger import codes
    from app.ledger.models import Account

    now = utcnow()
    with app.app_context():
        shopper_id = db.session.scalar(
            insert(User)
            .values(
                email="ledger-shopper@bench.example",
                name="Ledger Shopper",
                password_hash="!",  # noqa: S106 (no password: this account never logs in)
                role="shopper",
                active=True,
                created_at=now,
                updated_at=now,
            )
            .returning(User.id)
        )
        wanted = [*codes.PLATFORM_CODES, *codes.CLEARING_CODES]
        for cooperative_id in catalog.cooperative_ids:
            wanted += [
                codes.cooperative_pending(cooperative_id),
                codes.cooperative_available(cooperative_id),
            ]
        rows = []
        for code in wanted:
            parsed = codes.parse(code)
            rows.append(
                {
                    "code": code,
                    "kind": parsed.kind,
                    "cooperative_id": parsed.cooperative_id,
                    "created_at": now,
                }
            )
        db.session.execute(insert(Account), rows)
        accounts = dict(db.session.execute(text("SELECT code, id FROM ledger_accounts")).all())
        next_id = {
            name: int(
                db.session.scalar(select(func.coalesce(func.max(db.metadata.tables[name].c.id), 0)))
            )
            + 1
            for name in (
                "orders",
                "cooperative_orders",
                "part_events",
                "ledger_transactions",
                "ledger_entries",
            )
        }
        db.session.commit()
        db.session.remove()
    return Ledger(now, shopper_id, list(catalog.cooperative_ids), accounts, next_id)


def _sale(
    ledger: Ledger,
    rows: Rows,
    rng: random.Random,
    cooperative_id: int,
    delivered: datetime,
    released: bool,
) -> int:
    """One card order with one delivered part; its payment, and its release when ``released``.

    Returns what the release made payable (0 when not released), centimes.
    """
    from app.ledger import codes

    placed = delivered - timedelta(days=2)
    subtotal = rng.randrange(5_000, 80_000, 50)
    shipping = 3_000
    platform = subtotal * 7 // 100
    solidarity = subtotal // 100
    earned = subtotal - platform - solidarity + shipping
    order_id = ledger.take("orders")
    part_id = ledger.take("cooperative_orders")
    rows.orders.append(
        (order_id, f"ST-B{order_id:07d}", ledger.shopper_id, "completed", "card",
         f"bench-{order_id}", subtotal, shipping, subtotal + shipping, "Fatima Zahra",
         "+212612345678", "12, rue Al Qods", "Beni Mellal", "23000", placed, placed, delivered)
    )  # fmt: skip
    rows.parts.append(
        (
            part_id,
            order_id,
            cooperative_id,
            "delivered",
            "home_delivery",
            shipping,
            subtotal,
            placed,
            delivered,
            None if released else delivered,
        )
    )
    rows.events.append((ledger.take("part_events"), part_id, "shipped", "delivered", "", delivered))
    pending = ledger.accounts[codes.cooperative_pending(cooperative_id)]
    payment = ledger.take("ledger_transactions")
    rows.transactions.append(
        (payment, "card_payment", f"payment:order:{order_id}", "", placed, placed, order_id, None)
    )
    for account, amount in (
        (ledger.accounts[codes.CLEARING_STRIPE], -(subtotal + shipping)),
        (pending, earned),
        (ledger.accounts[codes.PLATFORM_REVENUE], platform),
        (ledger.accounts[codes.PLATFORM_SOLIDARITY_FUND], solidarity),
    ):
        rows.entries.append((ledger.take("ledger_entries"), payment, account, amount))
    if released:
        at = delivered + timedelta(days=7)
        release = ledger.take("ledger_transactions")
        rows.transactions.append(
            (release, "release", f"release:part:{part_id}", "", at, at, order_id, part_id)
        )
        available = ledger.accounts[codes.cooperative_available(cooperative_id)]
        rows.entries.append((ledger.take("ledger_entries"), release, pending, -earned))
        rows.entries.append((ledger.take("ledger_entries"), release, available, earned))
    return earned if released else 0


def _payouts(ledger: Ledger, rows: Rows, owed: dict[int, int], at: datetime) -> None:
    """Pay each cooperative 90 % of what it earned in this step: its weekly transfer."""
    from app.ledger import codes

    ledger.payout_week += 1
    for cooperative_id, amount in owed.items():
        paid = amount * 9 // 10
        if paid <= 0:
            continue
        payout = ledger.take("ledger_transactions")
        rows.transactions.append(
            (
                payout,
                "payout",
                f"bench-payout:{ledger.payout_week}:{cooperative_id}",
                "",
                at,
                at,
                None,
                None,
            )
        )
        rows.entries.append(
            (
                ledger.take("ledger_entries"),
                payout,
                ledger.accounts[codes.cooperative_available(cooperative_id)],
                -paid,
            )
        )
        rows.entries.append(
            (ledger.take("ledger_entries"), payout, ledger.accounts[codes.CLEARING_BANK], paid)
        )


def grow(app, ledger: Ledger, target_entries: int, rng: random.Random, first: bool) -> None:
    """Add sales (and, on the first step, the day's due and held parts) up to ``target_entries``."""
    rows = Rows()
    now = ledger.now
    cooperatives = ledger.cooperative_ids
    if first:
        for cooperative_id in cooperatives:  # due today: delivered 8 days ago, not released
            _sale(ledger, rows, rng, cooperative_id, now - timedelta(days=8), released=False)
            _sale(ledger, rows, rng, cooperative_id, now - timedelta(days=1), released=False)
    budget = target_entries - ledger.entries - len(rows.entries) - 2 * len(cooperatives)
    owed: dict[int, int] = {}
    for index in range(max(0, budget // SALE_ENTRIES)):
        cooperative_id = cooperatives[index % len(cooperatives)]
        delivered = now - timedelta(days=30 + rng.randrange(700), minutes=rng.randrange(1440))
        owed[cooperative_id] = owed.get(cooperative_id, 0) + _sale(
            ledger, rows, rng, cooperative_id, delivered, True
        )
    _payouts(ledger, rows, owed, now - timedelta(days=20))
    _copy_all(app, rows)
    ledger.entries += len(rows.entries)


def _copy_all(app, rows: Rows) -> None:
    from app.extensions import db

    with app.app_context():
        connection = db.session.connection()
        for table_name, columns, data in (
            ("orders", ORDER_COLUMNS, rows.orders),
            ("cooperative_orders", PART_COLUMNS, rows.parts),
            ("part_events", EVENT_COLUMNS, rows.events),
            ("ledger_transactions", TRANSACTION_COLUMNS, rows.transactions),
            ("ledger_entries", ENTRY_COLUMNS, rows.entries),
        ):
            copy_rows(connection, table_name, columns, data)
            serial = db.metadata.tables[table_name].c.id
            connection.execute(
                select(
                    func.setval(
                        func.pg_get_serial_sequence(table_name, "id"),
                        select(func.max(serial)).scalar_subquery(),
                    )
                )
            )
        db.session.commit()
        db.session.remove()
        with db.engine.connect() as autocommit:
            autocommit = autocommit.execution_options(isolation_level="AUTOCOMMIT")
            for table_name in (
                "orders",
                "cooperative_orders",
                "part_events",
                "ledger_transactions",
                "ledger_entries",
            ):
                autocommit.exec_driver_sql(f"VACUUM ANALYZE {table_name}")
