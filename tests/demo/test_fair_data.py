"""The demo data of `flask seed-demo`: valid, regional, varied and reproducible."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date

import pytest
from PIL import Image, ImageDraw

from app.demo.catalog_data import (
    CATEGORIES,
    CATEGORIES_BY_SLUG,
    EUPHORBIA_HONEY_IGP,
    IGP_AREAS,
    PRODUCT_TEMPLATES,
    SEFRI_POMEGRANATE_IGP,
)
from app.demo.cooperative_data import (
    FOOD_CATEGORIES,
    THEMES,
    build_cooperatives,
    build_pending_applications,
    make_rib,
    rib_key,
)
from app.demo.fair_data import (
    DEMO_ADMIN,
    DEMO_PASSWORD,
    DEMO_SHOPPER,
    FAIRS,
    LEGAL_FORMS,
    PROVINCES,
    fair_dates,
    stand_codes,
    translations,
)
from app.demo.product_data import build_products
from app.demo.product_images import render_cover, render_logo, render_product_image

PHONE = re.compile(r"^\+212[5-7]\d{8}$")
ARABIC = re.compile(r"[\u0600-\u06FF]")
PUBLISHED_RIB = "001810007800020110620221"


@pytest.fixture(scope="module")
def cooperatives():
    return build_cooperatives()


@pytest.fixture(scope="module")
def products(cooperatives):
    return build_products(cooperatives)


def rib_is_valid(rib: str) -> bool:
    return len(rib) == 24 and rib.isdigit() and int(rib) % 97 == 0


def test_published_rib_is_valid_and_its_key_is_recomputed():
    assert rib_is_valid(PUBLISHED_RIB)
    assert rib_key(PUBLISHED_RIB[:22]) == "21"


def test_a_rib_with_one_digit_changed_is_invalid():
    mutated = PUBLISHED_RIB[:5] + "9" + PUBLISHED_RIB[6:]
    assert not rib_is_valid(mutated)
    assert rib_key(mutated[:22]) != mutated[22:]


def test_rib_key_needs_exactly_22_digits():
    for wrong in ("", "123", PUBLISHED_RIB, "00181000780002011062AB"):
        with pytest.raises(ValueError):
            rib_key(wrong)


def test_made_ribs_are_valid():
    import random

    rng = random.Random(1)
    assert all(rib_is_valid(make_rib(rng)) for _ in range(500))


def test_at_least_40_cooperatives_over_the_five_provinces_and_four_legal_forms(cooperatives):
    assert len(cooperatives) >= 40
    assert {c.province for c in cooperatives} == {p.code for p in PROVINCES}
    forms = Counter(c.legal_form for c in cooperatives)
    assert set(forms) == set(LEGAL_FORMS)
    assert forms["cooperative"] > len(cooperatives) / 2


def test_communes_belong_to_their_province(cooperatives):
    communes = {p.code: {c.name for c in p.communes} for p in PROVINCES}
    assert all(c.commune in communes[c.province] for c in cooperatives)
    beni_mellal = next(p for p in PROVINCES if p.code == "beni_mellal")
    assert beni_mellal.commune("Beni Mellal").postal_code == "23000"


def test_headline_cooperatives_come_first(cooperatives):
    names = [c.name.fr for c in cooperatives[:3]]
    assert names == [
        "Coopérative Tighza pour l'huile d'olive",
        "Association Ouzoud des femmes artisanes",
        "Coopérative Zayane du tapis",
    ]


def test_slugs_and_emails_are_unique_and_on_the_example_domain(cooperatives):
    slugs = [c.slug for c in cooperatives]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) for slug in slugs)
    assert all(c.email == f"{c.slug}@coops.example" == c.owner_email for c in cooperatives)


def test_every_cooperative_has_valid_papers(cooperatives):
    for c in cooperatives:
        assert PHONE.fullmatch(c.phone), c.phone
        assert re.fullmatch(r"[A-Za-z0-9/-]{1,30}", c.registration_number)
        assert c.ice is None or re.fullmatch(r"\d{15}", c.ice)
        assert (c.onssa_number is not None) == c.sells_food
        assert 2000 <= c.shipping_fee_cents <= 4500
    assert any(c.ice is None for c in cooperatives)
    assert len({c.ice for c in cooperatives if c.ice}) == sum(1 for c in cooperatives if c.ice)


def test_payouts_go_by_valid_rib_or_to_a_demo_stripe_account(cooperatives):
    methods = Counter(c.payout_method for c in cooperatives)
    assert methods["bank_transfer"] > methods["stripe"] >= 1
    for c in cooperatives:
        if c.payout_method == "bank_transfer":
            assert c.rib and rib_is_valid(c.rib) and c.stripe_account_id is None
        else:
            assert c.rib is None and c.stripe_account_id.startswith("acct_demo")


def test_specialities_are_leaf_categories_with_templates(cooperatives):
    for c in cooperatives:
        for slug in c.specialities:
            assert CATEGORIES_BY_SLUG[slug].parent is not None
    for theme in THEMES:
        assert all(slug in CATEGORIES_BY_SLUG for slug in theme.specialities)
    food = {c.slug for c in CATEGORIES if c.parent == "terroir"}
    assert food == FOOD_CATEGORIES


def test_arabic_names_are_present(cooperatives, products):
    texts = [c.name.ar for c in cooperatives] + [c.description.ar for c in cooperatives]
    texts += [p.name.ar for p in products] + [c.name.ar for c in CATEGORIES]
    texts += [p.name.ar for p in PROVINCES] + [c.name_ar for p in PROVINCES for c in p.communes]
    texts += [f.name.ar for f in FAIRS]
    assert all(ARABIC.search(text) for text in texts)
    assert all(not ARABIC.search(c.name.fr + c.name.en) for c in cooperatives)


def test_translations_hold_the_other_languages(cooperatives):
    got = translations({"name": cooperatives[0].name})
    assert got == {"en": {"name": cooperatives[0].name.en}, "ar": {"name": cooperatives[0].name.ar}}


def test_at_least_40_templates_with_realistic_prices():
    assert len(PRODUCT_TEMPLATES) >= 40
    assert len({t.key for t in PRODUCT_TEMPLATES}) == len(PRODUCT_TEMPLATES)
    by_key = {t.key: t for t in PRODUCT_TEMPLATES}
    assert (by_key["olive-oil-1l"].min_price_cents, by_key["olive-oil-1l"].max_price_cents) == (
        7000,
        11000,
    )
    assert by_key["honey-euphorbia-500"].max_price_cents == 45000
    assert by_key["carpet-zayane"].min_price_cents == 150000
    for t in PRODUCT_TEMPLATES:
        assert 0 < t.min_price_cents <= t.max_price_cents
        assert CATEGORIES_BY_SLUG[t.category].parent is not None
        assert t.is_food == (t.category in FOOD_CATEGORIES)
        assert len(t.unit) <= 40


def test_at_least_300_products_each_from_a_speciality_of_its_cooperative(cooperatives, products):
    assert len(products) >= 300
    by_slug = {c.slug: c for c in cooperatives}
    assert len({p.slug for p in products}) == len(products)
    for p in products:
        coop = by_slug[p.cooperative_slug]
        assert p.category in coop.specialities
        assert (p.origin_commune, p.origin_province) == (coop.commune, coop.province)
        assert not p.is_food or coop.onssa_number
        assert len(p.name.fr) <= 160 and len(p.slug) <= 160
    names = Counter((p.cooperative_slug, p.name.fr) for p in products)
    assert max(names.values()) == 1


def test_prices_are_in_range_and_rounded_to_50_centimes(products):
    templates = {t.key: t for t in PRODUCT_TEMPLATES}
    for p in products:
        template = templates[p.template_key]
        assert template.min_price_cents <= p.price_cents <= template.max_price_cents
        assert p.price_cents % 50 == 0


def test_stock_includes_sold_out_and_low_listings(products):
    assert all(0 <= p.stock <= 120 for p in products)
    assert sum(p.stock == 0 for p in products) >= 3
    assert sum(1 <= p.stock <= 3 for p in products) >= 3
    statuses = Counter(p.status for p in products)
    assert set(statuses) == {"active", "draft"}
    assert statuses["active"] > 0.8 * len(products)


def test_euphorbia_honey_carries_its_igp_only_inside_its_area(cooperatives, products):
    provinces = {c.slug: c.province for c in cooperatives}
    honey = [p for p in products if p.template_key.startswith("honey-euphorbia")]
    with_igp = [p for p in honey if any(label.name == EUPHORBIA_HONEY_IGP for label in p.labels)]
    assert with_igp
    assert all(provinces[p.cooperative_slug] in IGP_AREAS[EUPHORBIA_HONEY_IGP] for p in with_igp)
    assert all("IGP" in p.description.en or "Protected" in p.description.en for p in with_igp)
    sefri = [label for p in products for label in p.labels if label.name == SEFRI_POMEGRANATE_IGP]
    assert sefri


def test_labels_are_known_kinds_with_demo_certificate_numbers(products):
    labels = [label for p in products for label in p.labels]
    assert {label.kind for label in labels} == {"IGP", "label_agricole", "organic"}
    assert all(label.certificate_number.startswith("DEMO-") for label in labels)
    assert all(len(label.certificate_number) <= 60 for label in labels)
    for p in products:
        assert len({label.kind for label in p.labels}) == len(p.labels)


def test_same_seed_gives_the_same_data_and_another_seed_differs():
    assert build_cooperatives(seed=7) == build_cooperatives(seed=7)
    assert build_products(build_cooperatives(seed=7), seed=7) == build_products(
        build_cooperatives(seed=7), seed=7
    )
    assert build_pending_applications(seed=7) == build_pending_applications(seed=7)
    assert build_cooperatives(seed=7) != build_cooperatives(seed=8)


def test_fewer_cooperatives_can_be_asked_for():
    assert len(build_cooperatives(count=3)) == 3
    small = build_cooperatives(count=12)
    assert {c.legal_form for c in small} == set(LEGAL_FORMS)


def test_khenifra_edition_is_open_today_and_earlier_ones_are_past():
    today = date(2026, 5, 14)
    dates = fair_dates(today)
    assert sorted(dates) == [1, 2, 3]
    assert dates[3] == (date(2026, 5, 12), date(2026, 5, 19))
    assert all(ends < today for starts, ends in (dates[1], dates[2]))
    khenifra = next(f for f in FAIRS if f.edition == 3)
    assert khenifra.province == "khenifra"
    assert khenifra.venue.fr == "Place Al Massira Al Khadra"
    assert (khenifra.area_m2, khenifra.exhibitors) == (5000, 320)
    assert [f.province for f in sorted(FAIRS, key=lambda f: f.edition)] == [
        "azilal",
        "beni_mellal",
        "khenifra",
    ]


def test_stand_codes_go_aisle_by_aisle():
    codes = stand_codes(48)
    assert codes[:2] == ["A-01", "A-02"] and codes[11:13] == ["A-12", "B-01"]
    assert codes[-1] == "D-12"
    with pytest.raises(ValueError):
        stand_codes(26 * 12 + 1)


def test_half_of_the_cooperatives_have_one_stand_at_the_khenifra_fair(cooperatives):
    for edition in (1, 2, 3):
        codes = [code for c in cooperatives for e, code in c.fair_stands if e == edition]
        assert len(set(codes)) == len(codes)
    exhibitors = [c for c in cooperatives if 3 in dict(c.fair_stands)]
    assert len(exhibitors) == (len(cooperatives) + 1) // 2
    assert all(3 in dict(c.fair_stands) for c in cooperatives[:4])
    assert {c.province for c in exhibitors} == {p.code for p in PROVINCES}


@pytest.mark.parametrize("count", [1, 3, 7, 12])
def test_a_small_demo_still_has_half_its_cooperatives_at_the_open_fair(count):
    cooperatives = build_cooperatives(count=count)
    exhibitors = [c for c in cooperatives if 3 in dict(c.fair_stands)]
    assert len(exhibitors) == (count + 1) // 2


def test_demo_accounts_share_the_documented_password():
    assert DEMO_PASSWORD == "tadamon-demo-2026"
    assert DEMO_ADMIN.email == "admin@souk-tadamon.example"
    assert DEMO_SHOPPER.email == "shopper@souk-tadamon.example"
    assert PHONE.fullmatch(DEMO_SHOPPER.phone)


def test_pending_applications_have_their_own_emails(cooperatives):
    applications = build_pending_applications()
    assert 2 <= len(applications) <= 3
    emails = {a.applicant_email for a in applications}
    assert len(emails) == len(applications)
    assert not emails & {c.email for c in cooperatives}
    assert not {a.cooperative.slug for a in applications} & {c.slug for c in cooperatives}
    assert any(
        a.cooperative.sells_food and a.cooperative.onssa_number is None for a in applications
    )
    assert all(rib_is_valid(a.cooperative.rib) for a in applications)


@pytest.mark.parametrize("size", [(640, 480), (320, 240), (200, 200)])
def test_product_images_are_jpegs_of_the_requested_size(products, size):
    for p in products[:: len(products) // 20]:
        image = Image.open(io.BytesIO(render_product_image(p.category, 1, size=size)))
        image.verify()
        assert (image.format, image.size) == ("JPEG", size)


def test_every_category_and_an_unknown_one_render():
    for slug in [c.slug for c in CATEGORIES] + ["no-such-category"]:
        data = render_product_image(slug, 3)
        assert Image.open(io.BytesIO(data)).size == (640, 480)


def test_images_are_deterministic_for_a_seed_and_a_view():
    first = render_product_image("honey", 42)
    assert render_product_image("honey", 42) == first
    assert render_product_image("honey", 43) != first
    assert render_product_image("honey", 42, view=1) != first


def test_illustrations_carry_no_text(monkeypatch):
    """The name is the page's caption in the reader's language: nothing is written on pictures."""

    def no_text(*args, **kwargs):
        raise AssertionError("text drawn on a demo picture")

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", no_text)
    monkeypatch.setattr(ImageDraw.ImageDraw, "multiline_text", no_text)
    for slug in [c.slug for c in CATEGORIES]:
        for view in range(4):
            assert Image.open(io.BytesIO(render_product_image(slug, 5, view=view))).size == (
                640,
                480,
            )
        render_cover(slug, 5)
        render_logo(slug, 5)
