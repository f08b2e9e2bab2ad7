"""Help around search: relevance order, "did you mean", matching categories, type-ahead
completions (API and storefront), and the same search behind every search box."""

from __future__ import annotations

from support.catalog_search import search_products
from support.factories import CooperativeFactory, ProductFactory

from app.catalog.search_help import help_when_nothing_found, spelling_suggestions, suggest
from app.core.db import utcnow


def test_relevance_ranks_name_matches_then_rank_then_stock():
    now = utcnow()
    in_description = ProductFactory(name="Amlou", description="Au miel de thym", created_at=now)
    sold_out = ProductFactory(name="Miel de thym", stock=0, description="")
    on_hand = ProductFactory(name="Miel de thym", stock=7, description="")

    products, _total = search_products(q="thym miel", sort="relevance")

    assert [product.id for product in products] == [on_hand.id, sold_out.id, in_description.id]


def test_a_misspelt_query_that_finds_nothing_offers_spellings_that_find_products(demo_catalog):
    assert search_products(q="caroubbbe")[1] == 0

    assert spelling_suggestions("caroubbbe")[0] == "caroube"
    assert spelling_suggestions("miel tapis") == []  # every word is known: no spelling to fix


def test_nothing_found_offers_the_categories_its_words_name(demo_catalog):
    help_ = help_when_nothing_found("miel tapis", "fr")

    assert help_["spellings"] == []
    assert [category["slug"] for category in help_["categories"]] == ["honey", "carpets-textiles"]
    arabic = help_when_nothing_found("عسل زربية", "ar")["categories"]
    assert [category["name"] for category in arabic] == ["العسل", "الزرابي والنسيج"]


def test_suggest_completes_the_word_being_typed_with_categories_products_and_cooperatives(
    demo_catalog,
):
    completions = suggest("mie", "fr")

    assert completions[0] == {"kind": "category", "id": completions[0]["id"], "label": "Miel"}
    kinds = [completion["kind"] for completion in completions]
    assert "product" in kinds and len(completions) <= 8
    assert all(
        "miel" in completion["label"].lower()
        for completion in completions
        if completion["kind"] == "product"
    )
    assert {c["label"] for c in suggest("coopérative nah", "fr")} >= {"Coopérative Nahla"}
    assert any(c["label"].startswith("زيت") for c in suggest("زيت الزي", "ar"))
    assert suggest("", "fr") == []


def test_suggest_knows_darija_in_the_words_before_the_one_being_typed(demo_catalog):
    labels = [c["label"] for c in suggest("l3sel thy", "fr") if c["kind"] == "product"]
    assert labels == ["Miel de thym"]


def test_the_api_adds_suggestions_only_to_an_empty_search(client, demo_catalog):
    found = client.get("/api/v1/products?q=miel").get_json()
    empty = client.get("/api/v1/products?q=caroubbbe").get_json()
    unfiltered = client.get("/api/v1/products?category=no-such-category").get_json()

    assert found["total"] > 0 and "suggestions" not in found
    assert empty["total"] == 0 and empty["items"] == []
    assert empty["suggestions"]["spellings"][0] == "caroube"
    assert empty["suggestions"]["categories"] == []
    assert "suggestions" not in unfiltered


def test_the_suggest_endpoint_answers_the_contract(client, demo_catalog):
    response = client.get("/api/v1/search/suggest?q=zaf")

    assert response.status_code == 200
    completions = response.get_json()
    assert 0 < len(completions) <= 8
    assert all(set(c) == {"kind", "id", "label"} for c in completions)
    assert {c["kind"] for c in completions} <= {"product", "cooperative", "category"}
    assert client.get("/api/v1/search/suggest?q=" + "x" * 201).status_code == 422
    assert client.get("/api/v1/search/suggest").get_json() == []


def test_the_openapi_document_describes_suggest_and_the_search_help(client):
    document = client.get("/api/v1/openapi.json").get_json()

    assert "/api/v1/search/suggest" in document["paths"]
    page = document["components"]["schemas"]["ProductPage"]
    assert "suggestions" in page["properties"] and "suggestions" not in page.get("required", [])


def test_the_storefront_search_box_uses_the_same_search_and_offers_help(client, demo_catalog):
    french = {"Accept-Language": "fr"}
    found = client.get("/products?q=zit+zitoun", headers=french).get_data(as_text=True)
    empty = client.get("/products?q=caroubbbe", headers=french).get_data(as_text=True)

    assert "Huile d&#39;olive extra vierge" in found
    assert 'list="search-suggestions"' in found and "search-suggest.js" in found
    assert "/api/v1/search/suggest" in found
    assert "caroube" in empty and "?q=caroube" in empty


def test_the_storefront_offers_categories_when_words_match_no_product(client, demo_catalog):
    page = client.get("/products?q=miel+tapis", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )
    assert "?category=honey" in page and "?category=carpets-textiles" in page


def test_the_cooperative_directory_uses_the_same_search(client):
    CooperativeFactory(name="Coopérative Nahla", translations={"ar": {"name": "تعاونية النحلة"}})
    CooperativeFactory(name="Coopérative Tighza")

    listed = client.get("/api/v1/cooperatives?q=النحلة").get_json()["items"]
    page = client.get("/cooperatives?q=nahla").get_data(as_text=True)

    assert [cooperative["name"] for cooperative in listed] == ["Coopérative Nahla"]
    assert "Nahla" in page and "Tighza" not in page
