"""Worked examples through the database: rules read from the table, lines quoted by services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from support.factories import (
    CategoryFactory,
    CooperativeFactory,
    FairFactory,
    ProductFactory,
)

from app.core.db import utcnow
from app.fees import services
from app.fees.defaults import local_midnight
from app.fees.errors import NoFeeRuleInForce


@pytest.fixture
def fair():
    return FairFactory(
        starts_on=date.today() - timedelta(days=1), ends_on=date.today() + timedelta(days=2)
    )


@pytest.fixture
def default_rules(fair):
    return services.install_default_rules(fair)


def test_a_120_mad_bottle_splits_110_40_to_the_cooperative(default_rules):
    product = ProductFactory(price_cents=12000)

    split = services.quote_line(product, 12000)

    assert (split.producer_cents, split.platform_cents, split.solidarity_cents) == (11040, 840, 120)
    default_rule = next(rule for rule in default_rules if rule.scope == "default")
    assert split.rule_id == default_rule.id


def test_a_5_mad_item_keeps_85_percent_because_the_floor_binds(default_rules):
    product = ProductFactory(price_cents=500)

    split = services.quote_line(product, 500)

    # 8 % is 0.40, the minimum raises it to 1.00, the 85 % floor caps it at 0.75.
    assert split.producer_cents == 425
    assert split.fee_cents == 75
    assert split.solidarity_cents == 9  # 75 x 100 / 800 = 9.375, half-up
    assert split.platform_cents == 66


def test_a_3000_mad_carpet_pays_at_most_the_150_mad_cap(default_rules):
    carpet = ProductFactory(price_cents=300000, name="Tapis Zayane")

    split = services.quote_line(carpet, 300000)

    assert split.fee_cents == 15000
    assert split.solidarity_cents == 1875
    assert split.platform_cents == 13125
    assert split.producer_cents == 285000


def test_an_association_pays_the_reduced_rate(default_rules):
    association = CooperativeFactory(legal_form="association")
    product = ProductFactory(cooperative=association, price_cents=12000)

    split = services.quote_line(product, 12000)

    assert (split.producer_cents, split.platform_cents, split.solidarity_cents) == (11520, 420, 60)
    rule = next(rule for rule in default_rules if rule.id == split.rule_id)
    assert rule.scope_value == "association"


def test_a_stand_pickup_during_the_fair_pays_no_commission(default_rules, fair):
    product = ProductFactory(price_cents=12000)

    at_stand = services.quote_line(product, 12000, stand_fair_id=fair.id)
    shipped = services.quote_line(product, 12000)

    assert (at_stand.producer_cents, at_stand.fee_cents) == (12000, 0)
    assert shipped.fee_cents == 960


def test_the_stand_rule_stops_when_the_fair_closes(default_rules, fair):
    product = ProductFactory(price_cents=12000)
    after_close = local_midnight(fair.ends_on + timedelta(days=1))
    last_minute = after_close - timedelta(minutes=1)

    assert services.quote_line(product, 12000, fair.id, at=last_minute).fee_cents == 0
    assert services.quote_line(product, 12000, fair.id, at=after_close).fee_cents == 960


def test_another_fairs_stand_does_not_get_this_fairs_rule(default_rules, fair):
    other_fair = FairFactory()
    product = ProductFactory(price_cents=12000)

    assert services.quote_line(product, 12000, stand_fair_id=other_fair.id).fee_cents == 960


def test_a_category_rule_applies_to_products_of_its_subcategories(default_rules, admin):
    crafts = CategoryFactory(name="Crafts")
    carpets = CategoryFactory(name="Carpets", parent=crafts)
    services.add_rule(
        admin,
        {
            "name": "Crafts pay 5 %",
            "scope": "category",
            "scope_value": str(crafts.id),
            "commission_bps": 500,
            "solidarity_bps": 100,
            "producer_floor_bps": 8500,
            "valid_from": utcnow() - timedelta(minutes=1),
        },
    )
    carpet = ProductFactory(category=carpets, price_cents=12000)

    assert services.quote_line(carpet, 12000).fee_cents == 600
    parents = services.category_parents()
    assert services.quote_line(carpet, 12000, parents=parents).fee_cents == 600


def test_quoting_without_any_rule_is_a_clear_conflict():
    product = ProductFactory(price_cents=12000)

    with pytest.raises(NoFeeRuleInForce):
        services.quote_line(product, 12000, at=datetime(2000, 1, 1, tzinfo=UTC))


def test_unit_splits_take_at_most_three_queries_for_any_number_of_products(
    default_rules, count_queries
):
    association = CooperativeFactory(legal_form="association")
    products = [ProductFactory(price_cents=12000) for _ in range(3)]
    products += [ProductFactory(cooperative=association, price_cents=12000) for _ in range(3)]

    with count_queries() as statements:
        splits = services.unit_splits(products)

    # Rules, category parents, and legal forms of cooperatives not loaded with the products.
    assert len(statements) <= 3
    assert [splits[product.id].producer_cents for product in products] == [11040] * 3 + [11520] * 3
    for product in products:
        assert splits[product.id].total_cents == product.price_cents


def test_unit_splits_leave_out_products_no_rule_applies_to():
    product = ProductFactory(price_cents=12000)

    assert services.unit_splits([product]) == {}
    assert services.unit_splits([]) == {}


def test_rules_in_force_excludes_ended_and_future_rules(default_rules, fair):
    in_force_now = {rule.id for rule in services.rules_in_force()}
    long_ago = {rule.id for rule in services.rules_in_force(datetime(2020, 1, 1, tzinfo=UTC))}

    assert in_force_now == {rule.id for rule in default_rules}
    assert long_ago == set()
