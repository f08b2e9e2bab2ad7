"""Product use cases: who may list and edit, what is valid, and stock that never goes negative."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from support.factories import (
    CategoryFactory,
    CooperativeFactory,
    MembershipFactory,
    ProductFactory,
    UserFactory,
)

from app.catalog import operations, services
from app.catalog.errors import CooperativeNotVerified
from app.catalog.models import Product, ProductLabel
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db


@pytest.fixture
def category():
    return CategoryFactory(slug="honey", name="Honey")


def product_data(category, **overrides):
    data = {
        "name": "Miel d'euphorbe",
        "description": "Miel de zaqqoum de Tadla-Azilal.",
        "price_cents": 18000,
        "stock": 12,
        "unit": "jar 500 g",
        "category_id": category.id,
        "labels": [{"kind": "IGP", "certificate_number": "IGP-MA-0042"}, "organic"],
        "status": "active",
    }
    return data | overrides


def product_count() -> int:
    return len(db.session.scalars(select(Product.id)).all())


def test_member_creates_a_product_with_labels_and_the_cooperatives_origin(
    cooperative, owner, category
):
    product = services.create_product(cooperative, owner, product_data(category))

    assert product.id is not None
    assert product.slug == "miel-d-euphorbe"
    assert product.price_cents == 18000
    assert product.status == "active"
    assert product.origin_province == cooperative.province
    assert product.origin_commune == cooperative.commune
    assert [(label.kind, label.certificate_number) for label in product.labels] == [
        ("IGP", "IGP-MA-0042"),
        ("organic", None),
    ]


def test_a_second_product_with_the_same_name_gets_its_own_slug(cooperative, owner, category):
    first = services.create_product(cooperative, owner, product_data(category))
    second = services.create_product(cooperative, owner, product_data(category))

    assert first.slug == "miel-d-euphorbe"
    assert second.slug == "miel-d-euphorbe-2"


def test_an_arabic_name_still_gets_a_slug(cooperative, owner, category):
    product = services.create_product(
        cooperative, owner, product_data(category, name="زيت الزيتون")
    )

    assert product.slug == "product"


def test_a_member_of_another_cooperative_cannot_list_or_edit_products(cooperative, category):
    stranger = MembershipFactory(cooperative=CooperativeFactory()).user
    product = ProductFactory(cooperative=cooperative, name="Huile", price_cents=9000)

    with pytest.raises(Forbidden):
        services.create_product(cooperative, stranger, product_data(category))
    with pytest.raises(Forbidden):
        services.update_product(product, stranger, {"price_cents": 1})
    with pytest.raises(Forbidden):
        services.update_product(product, None, {"price_cents": 1})

    db.session.expire_all()
    assert product.price_cents == 9000
    assert product_count() == 1


def test_a_shopper_cannot_list_products(cooperative, shopper, category):
    with pytest.raises(Forbidden):
        services.create_product(cooperative, shopper, product_data(category))
    assert product_count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price_cents", 0),
        ("price_cents", -100),
        ("price_cents", 12.5),
        ("price_cents", "120"),
        ("price_cents", True),
        ("price_cents", 10**12),
        ("stock", -1),
        ("stock", 1.5),
        ("unit", ""),
        ("unit", "x" * 41),
        ("name", "   "),
        ("name", "x" * 161),
        ("name", "nul\x00byte"),
        ("category_id", 999_999),
        ("category_id", None),
        ("labels", ["IGPP"]),
        ("labels", ["IGP", "igp"]),
        ("labels", "IGP"),
        ("labels", [{"kind": "AOP", "certificate_number": "x" * 61}]),
        ("status", "published"),
        ("origin_province", "casablanca"),
        ("translations", {"de": {"name": "Honig"}}),
    ],
)
def test_invalid_data_is_refused_with_the_field_named_and_nothing_written(
    cooperative, owner, category, field, value
):
    with pytest.raises(ValidationFailed) as refused:
        services.create_product(cooperative, owner, product_data(category, **{field: value}))

    assert list(refused.value.fields) == [field]
    assert product_count() == 0


def test_missing_required_fields_are_all_named(cooperative, owner):
    with pytest.raises(ValidationFailed) as refused:
        services.create_product(cooperative, owner, {})

    assert set(refused.value.fields) == {"name", "price_cents", "unit", "category_id"}


def test_an_invalid_update_changes_nothing(cooperative, owner, category):
    product = ProductFactory(cooperative=cooperative, name="Huile", price_cents=9000, stock=4)

    with pytest.raises(ValidationFailed):
        services.update_product(
            product, owner, {"name": "Huile extra", "stock": 8, "price_cents": -1}
        )

    db.session.expire_all()
    assert (product.name, product.price_cents, product.stock) == ("Huile", 9000, 4)


def test_an_unverified_cooperative_keeps_its_products_as_drafts(category):
    pending = CooperativeFactory(status="pending")
    member = MembershipFactory(cooperative=pending).user

    with pytest.raises(CooperativeNotVerified) as refused:
        services.create_product(pending, member, product_data(category, status="active"))
    assert refused.value.status == 409
    assert "status" in refused.value.fields

    draft = services.create_product(pending, member, product_data(category, status="draft"))
    assert draft.status == "draft"
    with pytest.raises(CooperativeNotVerified):
        services.update_product(draft, member, {"status": "active"})


def test_a_suspended_cooperative_can_still_edit_a_product_that_was_active(category):
    cooperative = CooperativeFactory()
    member = MembershipFactory(cooperative=cooperative).user
    product = ProductFactory(cooperative=cooperative, category=category, status="active")
    cooperative.status = "suspended"
    db.session.flush()

    services.update_product(product, member, {"status": "active", "stock": 3})

    assert product.stock == 3


def test_update_replaces_labels_and_keeps_certificates_of_kept_kinds(cooperative, owner, category):
    product = services.create_product(cooperative, owner, product_data(category))

    services.update_product(
        product,
        owner,
        {"labels": [{"kind": "IGP", "certificate_number": "IGP-MA-0099"}, "AOP"]},
    )

    rows = db.session.execute(
        select(ProductLabel.kind, ProductLabel.certificate_number)
        .where(ProductLabel.product_id == product.id)
        .order_by(ProductLabel.kind)
    ).all()
    assert rows == [("AOP", None), ("IGP", "IGP-MA-0099")]


def test_update_changes_only_the_fields_given(cooperative, owner, category):
    product = services.create_product(cooperative, owner, product_data(category))

    services.update_product(
        product, owner, {"price_cents": 19500, "translations": {"ar": {"name": "عسل الزقوم"}}}
    )

    db.session.expire_all()
    assert product.price_cents == 19500
    assert product.name == "Miel d'euphorbe"
    assert product.translated("name", "ar") == "عسل الزقوم"
    assert product.translated("name", "fr") == "Miel d'euphorbe"


def test_a_stock_edit_made_after_a_sale_is_refused_instead_of_undoing_the_sale(cooperative, owner):
    product = ProductFactory(cooperative=cooperative, stock=10)
    assert operations.take_stock(product.id, 3)  # a shopper buys while the member edits

    with pytest.raises(Conflict) as refused:
        services.update_product(product, owner, {"stock": 20, "expected_stock": 10})
    assert refused.value.code == "stock_changed"
    assert product.stock == 7

    services.update_product(product, owner, {"stock": 20, "expected_stock": 7})
    assert product.stock == 20


def test_take_stock_takes_units_only_when_enough_are_on_hand(cooperative):
    product = ProductFactory(cooperative=cooperative, stock=5)

    assert operations.take_stock(product.id, 3) is True
    assert product.stock == 2
    assert operations.take_stock(product.id, 3) is False
    assert product.stock == 2
    assert operations.take_stock(product.id, 2) is True
    assert product.stock == 0
    assert operations.take_stock(product.id, 1) is False

    operations.return_stock(product.id, 4)
    assert product.stock == 4


def test_take_stock_refuses_a_quantity_that_is_not_a_positive_int(cooperative):
    product = ProductFactory(cooperative=cooperative, stock=5)

    for quantity in (0, -1, 1.0, True):
        with pytest.raises(ValueError):
            operations.take_stock(product.id, quantity)
    assert product.stock == 5


def test_take_stock_of_an_unknown_product_takes_nothing():
    assert operations.take_stock(2_000_000_000, 1) is False


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    initial=st.integers(min_value=0, max_value=50),
    requests=st.lists(st.integers(min_value=1, max_value=20), max_size=12),
)
def test_stock_never_goes_below_zero_and_every_unit_sold_is_accounted_for(
    cooperative, initial, requests
):
    product = ProductFactory(cooperative=cooperative, stock=initial)

    sold = sum(quantity for quantity in requests if operations.take_stock(product.id, quantity))

    assert product.stock == initial - sold
    assert product.stock >= 0


def test_unknown_fields_are_a_programming_error(cooperative, owner, category):
    with pytest.raises(ValueError):
        services.create_product(cooperative, owner, product_data(category, price=120))


def test_another_user_is_not_a_member_even_when_logged_in(cooperative, category):
    with pytest.raises(Forbidden):
        services.create_product(cooperative, UserFactory(), product_data(category))
