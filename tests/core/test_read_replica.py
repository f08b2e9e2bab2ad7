"""Read replicas (DATABASE_REPLICA_URL): the catalog and the reports read the replica, a
shopper's cart and orders and every read that decides a write read the primary.

Against PostgreSQL for real: the test makes a second database (``<db>_replica``) with the
primary's schema, a publication of every table on the primary, a logical replication slot
and a subscription on the replica (on one cluster the slot is made apart, with
``create_slot = false``, or CREATE SUBSCRIPTION waits on itself), and waits for the tables
to be copied. It drops the subscription, the slot, the publication and the database after.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.engine import make_url
from support.databases import xdist_worker
from support.factories import (
    AdminFactory,
    MembershipFactory,
    ProductFactory,
    UserFactory,
    issue_token,
    login_as,
)
from support.services import require_service

from app import create_app
from app.accounts.models import User
from app.catalog.models import Product
from app.core.replica import ReplicaIsReadOnly, read_session
from app.extensions import db
from app.fees.services import install_default_rules
from app.orders.models import Order, PartStatus
from app.orders.services import move_part
from bench.catalog import counting_queries

#: The tests on PostgreSQL make and drop the same publication, slot and replica database.
pytestmark = pytest.mark.xdist_group("replica")

CHECKOUT = {
    "payment_method": "cash_on_delivery",
    "address": {"name": "Fatima Zahra", "line1": "12 rue Al Qods", "city": "Beni Mellal",
                "postal_code": "23000"},
    "phone": "0612345678",
}  # fmt: skip


def test_without_a_replica_catalog_reads_use_the_primary_session(app):
    assert "replica" not in (app.config.get("SQLALCHEMY_BINDS") or {})
    assert read_session() is db.session


def test_database_replica_url_becomes_the_replica_bind_with_psycopg():
    from config import load_config

    settings = load_config("testing", {"DATABASE_REPLICA_URL": "postgres://reader@replica/souk"})
    assert settings["SQLALCHEMY_BINDS"] == {"replica": "postgresql+psycopg://reader@replica/souk"}
    assert "SQLALCHEMY_BINDS" not in load_config("testing", {})


@dataclass
class Replication:
    primary: str  # libpq URLs
    replica: str
    name: str  # of the publication, the slot and the subscription

    def sql(self, url: str, statement: str, *params) -> list[tuple]:
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            cursor = connection.execute(statement, params or None)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def wait_for(self, predicate, what: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not predicate():
            if time.monotonic() > deadline:
                pytest.fail(f"the replica did not catch up: {what}")
            time.sleep(0.1)

    def has(self, query: str, *params) -> bool:
        """Whether ``query`` finds a row on the replica (polled until it does)."""
        self.wait_for(lambda: bool(self.sql(self.replica, query, *params)), query)
        return True

    def pause(self) -> None:
        """Stop applying the primary's changes; returns once the apply worker has stopped."""
        self.sql(self.replica, f"ALTER SUBSCRIPTION {self.name} DISABLE")
        self.wait_for(
            lambda: (
                not self.sql(
                    self.replica,
                    "SELECT 1 FROM pg_stat_subscription WHERE subname = %s AND pid IS NOT NULL",
                    self.name,
                )
            ),
            "the apply worker to stop",
        )

    def resume(self) -> None:
        self.sql(self.replica, f"ALTER SUBSCRIPTION {self.name} ENABLE")


def _drop_replication(primary: str, replica: str, admin: str, name: str, database: str) -> None:
    import psycopg

    exists = Replication(primary, replica, name).sql
    if exists(admin, "SELECT 1 FROM pg_database WHERE datname = %s", database):
        with psycopg.connect(replica, autocommit=True) as connection:
            if connection.execute(
                "SELECT 1 FROM pg_subscription WHERE subname = %s", (name,)
            ).fetchone():
                connection.execute(f"ALTER SUBSCRIPTION {name} DISABLE")  # type: ignore[arg-type]
                connection.execute(f"ALTER SUBSCRIPTION {name} SET (slot_name = NONE)")  # type: ignore[arg-type]
                connection.execute(f"DROP SUBSCRIPTION {name}")  # type: ignore[arg-type]
        exists(admin, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    # The apply worker lets go of the slot a moment after the subscription is disabled.
    deadline = time.monotonic() + 30
    while exists(primary, "SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", name):
        active = exists(
            primary, "SELECT active_pid FROM pg_replication_slots WHERE slot_name = %s", name
        )
        if active and active[0][0] and time.monotonic() < deadline:
            time.sleep(0.2)
            continue
        if active and active[0][0]:
            exists(primary, "SELECT pg_terminate_backend(%s)", active[0][0])
            time.sleep(0.2)
            continue
        exists(primary, "SELECT pg_drop_replication_slot(%s)", name)
    exists(primary, f"DROP PUBLICATION IF EXISTS {name}")


@pytest.fixture
def replication(app: Flask, committing_db) -> Iterator[Replication]:
    """The suite's database as the primary, fed by logical replication into ``<db>_replica``."""
    url = make_url(os.environ["DATABASE_URL"])
    primary = url.set(drivername="postgresql").render_as_string(False)
    database = f"{url.database}_replica"
    replica = url.set(drivername="postgresql", database=database).render_as_string(False)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    name = f"souk_replica_{xdist_worker() or 'main'}"
    wal_level = Replication(primary, "", name).sql(primary, "SHOW wal_level")[0][0]
    require_service("postgres", wal_level == "logical", "PostgreSQL with wal_level=logical")
    _drop_replication(primary, replica, admin, name, database)  # what a killed run left
    replication = Replication(primary, replica, name)
    replication.sql(admin, f'CREATE DATABASE "{database}"')
    try:
        schema = subprocess.run(
            ["pg_dump", "--schema-only", "--no-owner", "--no-publications", "--no-subscriptions",
             primary],
            check=True, capture_output=True,
        ).stdout  # fmt: skip
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", replica],
            input=schema, check=True, capture_output=True,
        )  # fmt: skip
        replication.sql(primary, f"CREATE PUBLICATION {name} FOR ALL TABLES")
        replication.sql(primary, "SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", name)
        host = f"host={url.host or '127.0.0.1'} port={url.port or 5432} dbname={url.database}"
        user = f" user={url.username or 'postgres'}" + (
            f" password={url.password}" if url.password else ""
        )
        replication.sql(
            replica,
            f"CREATE SUBSCRIPTION {name} CONNECTION '{host}{user}' PUBLICATION {name} "
            f"WITH (create_slot = false, slot_name = '{name}')",
        )
        replication.wait_for(
            lambda: (
                not replication.sql(
                    replica, "SELECT 1 FROM pg_subscription_rel WHERE srsubstate NOT IN ('r', 's')"
                )
            ),
            "initial copy of the tables",
        )
        yield replication
    finally:
        _drop_replication(primary, replica, admin, name, database)


@pytest.fixture
def replica_app(app: Flask, replication: Replication) -> Iterator[Flask]:
    """The app with DATABASE_REPLICA_URL set, on the same primary as the suite's."""
    replicated = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_BINDS": {
                "replica": replication.replica.replace("postgresql://", "postgresql+psycopg://")
            },
            "MEDIA_ROOT": app.config["MEDIA_ROOT"],
            "DOCUMENTS_ROOT": app.config["DOCUMENTS_ROOT"],
        },
    )
    replicated.test_client_class = app.test_client_class
    with replicated.app_context():
        yield replicated
    with replicated.app_context():  # the test's sessions have given their connections back
        db.engines["replica"].dispose()
        db.engine.dispose()


def _copy_row_into_replica(replication: Replication, product_id: int, new_id: int) -> None:
    """A product that exists only on the replica (never on the primary)."""
    columns = [
        row[0]
        for row in replication.sql(
            replication.replica,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'products' AND table_schema = 'public' ORDER BY ordinal_position",
        )
    ]
    chosen = {"id": str(new_id), "name": "'Only on the replica'",
              "slug": "'only-on-the-replica'"}  # fmt: skip
    replication.sql(
        replication.replica,
        f"INSERT INTO products ({', '.join(columns)}) "  # noqa: S608 (names from the catalog)
        f"SELECT {', '.join(chosen.get(c, c) for c in columns)} FROM products WHERE id = %s",
        product_id,
    )


@pytest.mark.postgres
@pytest.mark.slow
def test_catalog_reads_the_replica_and_carts_orders_and_checkout_read_the_primary(
    replica_app, replication
):
    install_default_rules()
    product = ProductFactory(stock=10, price_cents=15000)
    shopper = UserFactory()
    db.session.commit()
    token = issue_token(shopper)
    bearer = {"Authorization": f"Bearer {token}"}
    product_id, cooperative_id = product.id, product.cooperative_id
    replication.has("SELECT 1 FROM api_tokens JOIN products ON products.id = %s", product_id)
    client = replica_app.test_client()

    # A product only the replica has is on sale in the catalog (pages and API) ...
    _copy_row_into_replica(replication, product_id, 900_001)
    assert client.get("/api/v1/products/900001").get_json()["name"] == "Only on the replica"
    listed = client.get("/api/v1/products?per_page=100").get_json()["items"]
    assert 900_001 in {item["id"] for item in listed}
    assert "Only on the replica" in client.get("/products/900001").get_data(as_text=True)
    # ... and nowhere else: the cart (primary) does not know it.
    assert client.put("/api/v1/cart/items/900001", json={"quantity": 1},
                      headers=bearer).status_code == 404  # fmt: skip

    replica_engine, primary_engine = db.engines["replica"], db.engine
    with counting_queries(replica_engine) as on_replica:
        assert client.get("/api/v1/products").status_code == 200
        assert client.get(f"/products/{product_id}").status_code == 200
        assert client.get("/").status_code == 200
    assert any("FROM products" in statement for statement in on_replica)

    # The replica lags (its subscription is paused): what the shopper writes, they read back.
    replication.pause()
    with (
        counting_queries(replica_engine) as on_replica,
        counting_queries(primary_engine) as on_primary,
    ):
        put = client.put(f"/api/v1/cart/items/{product_id}", json={"quantity": 2}, headers=bearer)
        assert put.status_code == 200, put.get_json()
        cart = client.get("/api/v1/cart", headers=bearer).get_json()
        assert [line["quantity"] for group in cart["groups"] for line in group["lines"]] == [2]
        placed = client.post("/api/v1/checkout", headers=bearer, json={
            **CHECKOUT, "idempotency_key": uuid.uuid4().hex,
            "delivery": {str(cooperative_id): "home_delivery"}})  # fmt: skip
        assert placed.status_code == 201, placed.get_json()
        number = placed.get_json()["number"]
        order = client.get(f"/api/v1/orders/{number}", headers=bearer)
        assert order.status_code == 200 and order.get_json()["number"] == number
        orders = client.get("/api/v1/orders", headers=bearer).get_json()
        assert number in {item["number"] for item in orders["items"]}
        assert client.get("/api/v1/cart", headers=bearer).get_json()["groups"] == []
        page = login_as(client, shopper).get(f"/orders/{number}")
        assert page.status_code == 200 and number in page.get_data(as_text=True)
    assert on_replica == [], "carts, checkout and orders must not read the replica"
    assert any("FROM orders" in statement for statement in on_primary)

    # The catalog meanwhile shows the replica's (older) stock: it did read the replica.
    assert client.get(f"/api/v1/products/{product_id}").get_json()["stock"] == 10
    replication.resume()
    replication.has("SELECT 1 FROM products WHERE id = %s AND stock = 8", product_id)
    assert client.get(f"/api/v1/products/{product_id}").get_json()["stock"] == 8


def _delivered_cash_sale(client, bearer: dict, product: Product, owner: User) -> str:
    """One ``product`` ordered cash on delivery through the API, then delivered by ``owner``
    (the cash is recorded, so the sales report counts it). Returns the order's number."""
    put = client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1}, headers=bearer)
    assert put.status_code == 200, put.get_json()
    placed = client.post("/api/v1/checkout", headers=bearer, json={
        **CHECKOUT, "idempotency_key": uuid.uuid4().hex,
        "delivery": {str(product.cooperative_id): "home_delivery"}})  # fmt: skip
    assert placed.status_code == 201, placed.get_json()
    number = placed.get_json()["number"]
    order = db.session.scalar(select(Order).where(Order.number == number))
    with current_app.test_request_context():
        for part in order.parts:
            for status in (PartStatus.CONFIRMED, PartStatus.SHIPPED, PartStatus.DELIVERED):
                move_part(part, status, member=owner)
    return number


@pytest.mark.postgres
@pytest.mark.slow
def test_reports_read_the_replica_and_a_shopper_still_reads_their_own_orders_on_the_primary(
    replica_app, replication
):
    install_default_rules()
    product = ProductFactory(stock=10, price_cents=15000)
    owner = MembershipFactory(cooperative=product.cooperative).user
    shopper, admin = UserFactory(), AdminFactory()
    db.session.commit()
    bearer = {"Authorization": f"Bearer {issue_token(shopper)}"}
    admin_bearer = {"Authorization": f"Bearer {issue_token(admin)}"}
    cooperative_id = product.cooperative_id
    client = replica_app.test_client()
    first = _delivered_cash_sale(client, bearer, product, owner)
    delivered = (
        "SELECT 1 FROM cooperative_orders WHERE cooperative_id = %s AND status = 'delivered' "
        "HAVING count(*) = %s"
    )
    replication.has(delivered, cooperative_id, 1)

    # A name only the replica has is the one the reports print (API and page) ...
    replication.sql(
        replication.replica,
        "UPDATE cooperatives SET name = 'Only on the replica', slug = 'only-on-the-replica' "
        "WHERE id = %s",
        cooperative_id,
    )
    sales = "/api/v1/admin/reports/sales?group_by=cooperative"
    replica_engine, primary_engine = db.engines["replica"], db.engine
    with (
        counting_queries(replica_engine) as on_replica,
        counting_queries(primary_engine) as on_primary,
    ):
        report = client.get(sales, headers=admin_bearer)
        assert report.status_code == 200, report.get_json()
        page = login_as(replica_app.test_client(), admin).get("/admin/reports")
        assert page.status_code == 200
    rows = report.get_json()["rows"]
    assert [(row["key"], row["orders"]) for row in rows] == [("only-on-the-replica", 1)]
    assert "Only on the replica" in page.get_data(as_text=True)
    # ... and the report's reads went there, none of them to the primary.
    assert any("FROM cooperative_orders" in statement for statement in on_replica)
    assert not [
        statement
        for statement in on_primary
        if "cooperative_orders" in statement or "FROM cooperatives" in statement
    ], "the reports must read the replica"

    # The replica lags: the report shows what it has, the shopper their new order at once.
    replication.pause()
    second = _delivered_cash_sale(client, bearer, product, owner)
    assert client.get(sales, headers=admin_bearer).get_json()["total"]["orders"] == 1
    mine = client.get("/api/v1/orders", headers=bearer).get_json()["items"]
    assert {first, second} <= {item["number"] for item in mine}
    replication.resume()
    replication.has(delivered, cooperative_id, 2)
    assert client.get(sales, headers=admin_bearer).get_json()["total"]["orders"] == 2


@pytest.mark.postgres
@pytest.mark.slow
def test_the_replica_session_refuses_to_write(replica_app, replication):
    session = read_session()
    assert session is not db.session
    user = UserFactory.build()
    session.add(user)
    with pytest.raises(ReplicaIsReadOnly):
        session.flush()
    session.rollback()
