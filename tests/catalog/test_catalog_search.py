"""Search and filters: only products on sale, every filter and sort, constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.catalog_search import search_products
from support.factories import (
    CategoryFactory,
    CooperativeFactory,
    FairFactory,
    ProductFactory,
    ProductLabelFactory,
    StandFactory,
)

from app.catalog.models import Product
from app.catalog.queries import (
    category_ids_with_descendants,
    category_tree,
    new_product_ids,
    visible_product,
)
from app.core.db import utcnow
from app.extensions import db


def names(products) -> list[str]:
    return [product.name for product in products]


def search_names(**filters) -> list[str]:
    products, total = search_products(**filters)
    assert total == len(products) or total > filters.get("per_page", 24)
    return names(products)


def test_drafts_archived_hidden_and_unverified_products_are_never_listed():
    ProductFactory(name="On sale")
    ProductFactory(name="Draft", status="draft")
    ProductFactory(name="Archived", status="archived")
    ProductFactory(name="Hidden", hidden_at=utcnow(), hidden_reason="fake label")
    ProductFactory(name="Pending coop", cooperative=CooperativeFactory(status="pending"))
    ProductFactory(name="Suspended coop", cooperative=CooperativeFactory(status="suspended"))

    assert search_names() == ["On sale"]
    assert search_names(q="o") == ["On sale"]
    assert [db.session.get(Product, id).name for id in new_product_ids(10)] == ["On sale"]


def test_visible_product_is_none_unless_on_sale():
    on_sale = ProductFactory()
    draft = ProductFactory(status="draft")
    hidden = ProductFactory(hidden_at=utcnow())

    assert visible_product(on_sale.id) is on_sale
    assert visible_product(draft.id) is None
    assert visible_product(hidden.id) is None
    assert visible_product(123_456_789) is None


def test_q_matches_name_description_translations_and_cooperative_case_insensitively():
    ProductFactory(name="Miel de thym", description="")
    ProductFactory(name="Amlou", description="Pâte d'amandes au MIEL")
    ProductFactory(
        name="Huile",
        description="",
        translations={"ar": {"name": "زيت الزيتون", "description": ""}},
    )
    ProductFactory(
        name="Savon", description="", cooperative=CooperativeFactory(name="Coopérative Miel Atlas")
    )
    ProductFactory(name="Couscous", description="Blé dur")

    assert sorted(search_names(q="miel")) == ["Amlou", "Miel de thym", "Savon"]
    assert search_names(q="زيت") == ["Huile"]
    assert search_names(q="nothing like this") == []


def test_q_treats_wildcards_and_full_text_syntax_as_plain_text():
    ProductFactory(name="Henné 100% naturel")
    ProductFactory(name="Henné naturel")
    ProductFactory(name="Sel_fin")
    ProductFactory(name="Selle")

    assert search_names(q="100%") == ["Henné 100% naturel"]
    assert search_names(q="sel_fin") == ["Sel_fin"]
    for q in ['"henné', "henné*", "henné OR selle", "(naturel", "naturel:", "-selle", "'", "\\"]:
        search_names(q=q)  # no syntax error from the database
    assert search_names(q="henné OR selle") == []  # "or" is a word (gold), not an operator


def test_relevance_puts_name_matches_before_description_matches_then_newest():
    now = utcnow()
    ProductFactory(name="Amlou", description="au miel", created_at=now)
    ProductFactory(name="Miel ancien", created_at=now - timedelta(days=3))
    ProductFactory(name="Miel récent", created_at=now - timedelta(days=1))

    assert search_names(q="miel", sort="relevance") == ["Miel récent", "Miel ancien", "Amlou"]


def test_sorts_by_price_and_newest():
    now = utcnow()
    ProductFactory(name="B", price_cents=5000, created_at=now - timedelta(days=2))
    ProductFactory(name="A", price_cents=12000, created_at=now - timedelta(days=1))
    ProductFactory(name="C", price_cents=800, created_at=now)

    assert search_names(sort="price_asc") == ["C", "B", "A"]
    assert search_names(sort="price_desc") == ["A", "B", "C"]
    assert search_names(sort="newest") == ["C", "A", "B"]
    assert search_names(sort="relevance") == ["C", "A", "B"]


def test_filter_by_province_uses_the_origin_then_the_cooperatives_province():
    azilal = CooperativeFactory(province="azilal")
    ProductFactory(name="Amandes", cooperative=azilal, origin_province=None)
    ProductFactory(name="Grenades", cooperative=azilal, origin_province="beni_mellal")
    ProductFactory(
        name="Tapis", cooperative=CooperativeFactory(province="khenifra"), origin_province=None
    )

    assert sorted(search_names(province="azilal")) == ["Amandes"]
    assert search_names(province="beni_mellal") == ["Grenades"]
    assert search_names(province="khenifra") == ["Tapis"]
    assert search_names(province="khouribga") == []


def test_filter_by_category_slug_or_id_includes_subcategories():
    food = CategoryFactory(slug="food", name="Food")
    honey = CategoryFactory(slug="honey", name="Honey", parent=food)
    thyme = CategoryFactory(slug="thyme-honey", name="Thyme honey", parent=honey)
    crafts = CategoryFactory(slug="crafts", name="Crafts")
    ProductFactory(name="Miel", category=honey)
    ProductFactory(name="Miel de thym", category=thyme)
    ProductFactory(name="Tapis", category=crafts)

    assert sorted(search_names(category="food")) == ["Miel", "Miel de thym"]
    assert sorted(search_names(category=str(honey.id))) == ["Miel", "Miel de thym"]
    assert search_names(category=thyme.id) == ["Miel de thym"]
    assert search_names(category="no-such-category") == []
    assert search_names(category="999999") == []
    assert category_ids_with_descendants(food) == {food.id, honey.id, thyme.id}


def test_filter_by_cooperative_label_price_and_stock():
    tighza = CooperativeFactory()
    igp = ProductFactory(name="Miel IGP", cooperative=tighza, price_cents=20000, stock=0)
    ProductLabelFactory(product=igp, kind="IGP")
    organic = ProductFactory(name="Sésame bio", price_cents=4000, stock=3)
    ProductLabelFactory(product=organic, kind="organic")
    ProductFactory(name="Sel", price_cents=1000, stock=9)

    assert search_names(cooperative=tighza.id) == ["Miel IGP"]
    assert search_names(cooperative=2_000_000_000) == []
    assert search_names(label="IGP") == ["Miel IGP"]
    assert search_names(label="organic") == ["Sésame bio"]
    assert search_names(min_price=4000, sort="price_asc") == ["Sésame bio", "Miel IGP"]
    assert search_names(max_price=4000, sort="price_asc") == ["Sel", "Sésame bio"]
    assert search_names(min_price=1000, max_price=1000) == ["Sel"]
    assert sorted(search_names(in_stock=True)) == ["Sel", "Sésame bio"]


def test_filter_by_fair_keeps_cooperatives_with_a_stand_there():
    fair = FairFactory()
    other_fair = FairFactory()
    exhibitor = CooperativeFactory()
    StandFactory(fair=fair, cooperative=exhibitor)
    StandFactory(fair=other_fair)
    ProductFactory(name="At the fair", cooperative=exhibitor)
    ProductFactory(name="Not at the fair")

    assert search_names(fair=fair.id) == ["At the fair"]
    assert search_names(fair=other_fair.id) == []


def test_pages_split_the_results_and_the_total_counts_them_all():
    for index in range(7):
        ProductFactory(name=f"P{index}", price_cents=100 + index)

    first, total = search_products(sort="price_asc", page=1, per_page=3)
    third, _ = search_products(sort="price_asc", page=3, per_page=3)
    beyond, beyond_total = search_products(sort="price_asc", page=9, per_page=3)

    assert total == 7
    assert names(first) == ["P0", "P1", "P2"]
    assert names(third) == ["P6"]
    assert beyond == [] and beyond_total == 7


def test_a_bad_sort_or_page_size_is_a_programming_error():
    with pytest.raises(ValueError):
        search_products(sort="cheapest")
    with pytest.raises(ValueError):
        search_products(per_page=101)


def test_search_loads_a_whole_page_in_the_same_number_of_queries_whatever_its_size(
    count_queries,
):
    categories = [CategoryFactory() for _ in range(3)]
    cooperatives = [CooperativeFactory() for _ in range(4)]
    for index in range(60):
        product = ProductFactory(
            category=categories[index % 3], cooperative=cooperatives[index % 4]
        )
        ProductLabelFactory(product=product, kind="IGP")
    db.session.expire_all()

    def run(per_page: int) -> int:
        db.session.expire_all()
        with count_queries() as statements:
            products, _ = search_products(category=categories[0].slug, per_page=per_page)
            for product in products:  # what a page shows of each product
                _ = (product.cooperative.name, product.category.name, product.labels)
        return len(statements)

    assert run(5) == run(50)


def test_category_tree_nests_subcategories_in_position_order():
    food = CategoryFactory(slug="food", name="Food", position=1)
    crafts = CategoryFactory(slug="crafts", name="Crafts", position=0)
    CategoryFactory(slug="oil", name="Oil", parent=food, position=2)
    CategoryFactory(slug="honey", name="Honey", parent=food, position=1)

    tree = category_tree()

    assert [node.category for node in tree] == [crafts, food]
    assert [child.category.slug for child in tree[1].children] == ["honey", "oil"]
    assert tree[1].children[0].depth == 1
