"""The catalog cache: public answers served without SQL, retired by every commit that changes
what the catalog shows (app/catalog/cache.py), never by a rollback, per language, never
mixing a reader's layout into another's, and never in the way when its backend is down."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest
from markupsafe import escape
from support.factories import (
    AdminFactory,
    CooperativeFactory,
    MembershipFactory,
    ProductFactory,
    login_as,
)

from app.catalog import cache as catalog_cache
from app.catalog.operations import take_stock
from app.catalog.services import hide_product, update_product
from app.cooperatives.services import suspend
from app.extensions import cache, db
from app.fees.services import add_rule
from config import REDIS_CACHE_OPTIONS

ADDRESS = {"name": "Fatima", "line1": "12 rue Al Qods", "city": "Khenifra", "postal_code": "54000"}


def _switch_cache(app, monkeypatch, config: dict) -> None:
    monkeypatch.setitem(app.config, "CATALOG_CACHE_SECONDS", 60)
    monkeypatch.setattr(catalog_cache, "_backend_down_until", 0.0)
    if config["CACHE_TYPE"] == "RedisCache":
        config = {"CACHE_OPTIONS": REDIS_CACHE_OPTIONS, **config}
    cache.init_app(app, config={"CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}:", **config})


@pytest.fixture
def catalog_cached(app, monkeypatch) -> Iterator[None]:
    """A per-process cache for this test only (the suite runs with NullCache)."""
    _switch_cache(app, monkeypatch, {"CACHE_TYPE": "SimpleCache"})
    yield
    cache.init_app(app, config={"CACHE_TYPE": "NullCache"})


@pytest.fixture
def shelf(fee_rules):
    cooperative = CooperativeFactory()
    products = ProductFactory.create_batch(3, cooperative=cooperative, stock=5, price_cents=10000)
    db.session.commit()  # the shelf's own bump happens here, before a test reads the generation
    return products


def paths(product) -> list[str]:
    return [
        "/api/v1/products?sort=newest",
        f"/api/v1/products/{product.id}",
        "/products?sort=newest",
        f"/products/{product.id}",
    ]


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.mark.parametrize("which", range(4))
def test_a_cached_answer_is_served_again_with_one_query_for_the_stock(
    catalog_cached, shelf, client, count_queries, which
):
    path = paths(shelf[0])[which]
    first = _page(client, path)

    with count_queries() as statements:
        again = _page(client, path)

    assert len(statements) == 1
    assert statements[0].startswith("SELECT products.id, products.stock")
    assert again.replace(_csrf(again), "") == first.replace(_csrf(first), "")


def _csrf(html: str) -> str:
    marker = 'name="csrf_token" value="'
    if marker not in html:
        return "\x00"
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_the_cache_is_off_by_default_when_testing(shelf, client, count_queries):
    _page(client, "/api/v1/products")

    with count_queries() as statements:
        _page(client, "/api/v1/products")

    assert statements


def _stock_shown(client, product) -> int:
    return client.get(f"/api/v1/products/{product.id}").get_json()["stock"]


def _listed_ids(client) -> set[int]:
    return {item["id"] for item in client.get("/api/v1/products").get_json()["items"]}


def test_a_checkout_taking_stock_shows_on_the_next_answer(
    catalog_cached, shelf, client, shopper, api_token
):
    product = shelf[0]
    assert _stock_shown(client, product) == 5
    headers = api_token(shopper)
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 2}, headers=headers)

    placed = client.post(
        "/api/v1/checkout",
        json={
            "idempotency_key": uuid.uuid4().hex,
            "payment_method": "cash_on_delivery",
            "delivery": {str(product.cooperative_id): "home_delivery"},
            "address": ADDRESS,
            "phone": "06 12 34 56 78",
        },
        headers=headers,
    )

    assert placed.status_code == 201, placed.get_json()
    assert _stock_shown(client, product) == 3


def test_a_checkout_retires_no_cached_answer(catalog_cached, shelf, client, shopper, api_token):
    product = shelf[0]
    headers = api_token(shopper)
    client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1}, headers=headers)
    before = catalog_cache.current_generation()

    placed = client.post(
        "/api/v1/checkout",
        json={
            "idempotency_key": uuid.uuid4().hex,
            "payment_method": "cash_on_delivery",
            "delivery": {str(product.cooperative_id): "home_delivery"},
            "address": ADDRESS,
            "phone": "06 12 34 56 78",
        },
        headers=headers,
    )

    assert placed.status_code == 201, placed.get_json()
    assert catalog_cache.current_generation() == before


def test_a_member_editing_a_product_shows_on_the_next_answer(catalog_cached, shelf, client):
    product = shelf[0]
    member = MembershipFactory(cooperative=product.cooperative).user
    assert "Argan" not in _page(client, f"/products/{product.id}")

    update_product(product, member, {"name": "Huile d'Argan bio", "stock": 9})

    assert "Argan" in _page(client, f"/products/{product.id}")
    assert _stock_shown(client, product) == 9


def test_an_admin_hiding_a_product_takes_it_off_the_next_answers(catalog_cached, shelf, client):
    product = shelf[0]
    assert product.id in _listed_ids(client)
    assert client.get(f"/products/{product.id}").status_code == 200

    hide_product(product, AdminFactory(), "Photo not of the product")

    assert product.id not in _listed_ids(client)
    assert client.get(f"/products/{product.id}").status_code == 404
    assert client.get(f"/api/v1/products/{product.id}").status_code == 404


def test_a_new_fee_rule_shows_in_the_next_fair_trade_split(catalog_cached, shelf, client):
    product = shelf[0]
    before = client.get(f"/api/v1/products/{product.id}").get_json()["fair_trade"]

    add_rule(
        AdminFactory(),
        {
            "name": "Tighza at half commission",
            "scope": "cooperative",
            "scope_value": str(product.cooperative_id),
            "commission_bps": 400,
            "solidarity_bps": 50,
            "priority": 5,
        },
    )

    after = client.get(f"/api/v1/products/{product.id}").get_json()["fair_trade"]
    assert after["platform"]["amount"] < before["platform"]["amount"]


def test_a_suspended_cooperative_disappears_from_the_next_answers(catalog_cached, shelf, client):
    product = shelf[0]
    assert product.id in _listed_ids(client)
    assert "products" in _page(client, "/products?sort=newest")

    suspend(product.cooperative, AdminFactory(), "Documents expired")

    assert _listed_ids(client).isdisjoint({p.id for p in shelf})
    assert client.get(f"/api/v1/products/{product.id}").status_code == 404


def test_a_stock_update_rolled_back_does_not_bump_the_generation(catalog_cached, shelf):
    before = catalog_cache.current_generation()

    assert take_stock(shelf[0].id, 1)
    db.session.rollback()

    assert catalog_cache.current_generation() == before


def test_a_stock_update_committed_retires_no_answer(catalog_cached, shelf):
    before = catalog_cache.current_generation()

    assert take_stock(shelf[0].id, 1)
    assert take_stock(shelf[1].id, 1)
    db.session.commit()

    assert catalog_cache.current_generation() == before


def test_a_member_changing_only_the_stock_retires_no_answer(catalog_cached, shelf, client):
    product = shelf[0]
    member = MembershipFactory(cooperative=product.cooperative).user
    before = catalog_cache.current_generation()

    update_product(product, member, {"stock": 0})

    assert catalog_cache.current_generation() == before
    assert _stock_shown(client, product) == 0


def test_a_price_change_still_retires_the_answers(catalog_cached, shelf):
    product = shelf[0]
    member = MembershipFactory(cooperative=product.cooperative).user
    before = catalog_cache.current_generation()

    update_product(product, member, {"price_cents": 15000})

    assert catalog_cache.current_generation() == before + 1


def test_cached_pages_show_a_sell_out_at_once(catalog_cached, shelf, client):
    """Bodies stay cached while orders flow; the stock they show is read at serving time."""
    product = shelf[0]
    listed = client.get("/api/v1/products?sort=newest").get_json()["items"]
    assert {item["id"]: item["stock"] for item in listed}[product.id] == 5
    assert "Out of stock" not in _page(client, "/products?sort=newest")
    assert "5 units in stock" in _page(client, f"/products/{product.id}")
    generation = catalog_cache.current_generation()

    assert take_stock(product.id, 5)
    db.session.commit()

    assert catalog_cache.current_generation() == generation
    listed = client.get("/api/v1/products?sort=newest").get_json()["items"]
    assert {item["id"]: item["stock"] for item in listed}[product.id] == 0
    assert _page(client, "/products?sort=newest").count("Out of stock") == 1
    page = _page(client, f"/products/{product.id}")
    # Sold out: no button adds it (the page's "more from the cooperative" cards sell others).
    assert "Out of stock" in page and f'name="product_id" value="{product.id}"' not in page
    assert _stock_shown(client, product) == 0


def test_a_commit_outside_the_catalog_does_not_bump_the_generation(catalog_cached, shopper):
    before = catalog_cache.current_generation()

    shopper.locale = "ar"
    db.session.commit()

    assert catalog_cache.current_generation() == before


def test_each_language_gets_its_own_cached_answer(catalog_cached, shelf, client):
    english = client.get("/products", headers={"Accept-Language": "en"}).get_data(as_text=True)
    french = client.get("/products", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    english_again = client.get("/products", headers={"Accept-Language": "en"})

    assert "<h1>Products</h1>" in english
    assert "<h1>Produits</h1>" in french
    assert "<h1>Products</h1>" in english_again.get_data(as_text=True)


def test_a_member_gets_the_cached_content_inside_their_own_layout(catalog_cached, shelf, app):
    product = shelf[0]
    member = MembershipFactory(cooperative=product.cooperative).user
    anonymous, logged_in = app.test_client(), app.test_client()
    login_as(logged_in, member)

    anonymous_page = _page(anonymous, f"/products/{product.id}")
    member_page = _page(logged_in, f"/products/{product.id}")
    anonymous_again = _page(anonymous, f"/products/{product.id}")

    assert "Log out" not in anonymous_page and "Log out" not in anonymous_again
    assert "Log out" in member_page
    assert _csrf(member_page) != _csrf(anonymous_again)
    assert str(escape(product.name)) in member_page


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_with_the_cache_backend_down_every_catalog_page_is_still_served(
    app, monkeypatch, shelf, client
):
    dead = f"redis://127.0.0.1:{_closed_port()}/0"
    _switch_cache(app, monkeypatch, {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": dead})
    try:
        for path in paths(shelf[0]):
            _page(client, path)
        update_product(
            shelf[0], MembershipFactory(cooperative=shelf[0].cooperative).user, {"stock": 7}
        )
        assert _stock_shown(client, shelf[0]) == 7
    finally:
        cache.init_app(app, config={"CACHE_TYPE": "NullCache"})


@pytest.mark.redis
def test_with_redis_the_answer_is_shared_and_the_generation_is_a_redis_counter(
    app, monkeypatch, redis_url, shelf, client, count_queries
):
    _switch_cache(app, monkeypatch, {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url})
    try:
        _page(client, "/api/v1/products")
        with count_queries() as statements:
            _page(client, "/api/v1/products")
        before = catalog_cache.current_generation()
        update_product(
            shelf[0],
            MembershipFactory(cooperative=shelf[0].cooperative).user,
            {"price_cents": 9000},
        )

        assert len(statements) == 1  # the stock, read fresh
        assert catalog_cache.current_generation() == before + 1
        assert _page(client, "/api/v1/products").count('"amount":9000') == 1
    finally:
        cache.clear()
        cache.init_app(app, config={"CACHE_TYPE": "NullCache"})
