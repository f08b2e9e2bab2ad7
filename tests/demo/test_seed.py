"""`seed_demo()` and `flask seed-demo`: the demo marketplace as the database holds it."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.services import authenticate
from app.catalog.models import Category, Product, ProductLabel
from app.cooperatives.models import (
    Cooperative,
    CooperativeStatus,
    CooperativeStatusEvent,
    MemberRole,
    Membership,
)
from app.cooperatives.permissions import member_role
from app.cooperatives.validation import validate_rib
from app.core.media import thumbnail_path
from app.demo.fair_data import DEMO_ADMIN, DEMO_PASSWORD, DEMO_SHOPPER, LEGAL_FORMS, PROVINCES
from app.demo.seed import VERIFIED_NOTE, seed_demo
from app.extensions import db
from app.fair.models import Fair, Stand
from app.fair.queries import open_fair
from app.fees.models import FeeRule
from app.fees.services import unit_splits

TODAY = date(2026, 5, 14)
SMALL = 8
ARABIC = set(range(0x0600, 0x0700))


def quietly(today: date = TODAY, **options):
    lines: list[str] = []
    report = seed_demo(today, log=lines.append, **options)
    return report, lines


def row_counts() -> Counter[str]:
    """Rows per table, over every table of the schema."""
    return Counter(
        {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
    )


def has_arabic(text: str) -> bool:
    return any(ord(character) in ARABIC for character in text)


@pytest.fixture
def small_demo():
    report, _ = quietly(cooperatives=SMALL, images=False)
    return report


def test_full_demo_has_40_verified_cooperatives_over_every_province_and_legal_form():
    report, lines = quietly(images=False)

    verified = db.session.scalars(
        select(Cooperative).where(Cooperative.status == CooperativeStatus.VERIFIED)
    ).all()
    assert len(verified) >= 40
    assert {c.province for c in verified} == {p.code for p in PROVINCES}
    assert {c.legal_form for c in verified} == set(LEGAL_FORMS)
    assert all(validate_rib(c.rib) for c in verified if c.payout_method == "bank_transfer")
    ices = [c.ice for c in verified if c.ice]
    assert len(set(ices)) == len(ices)

    fair = open_fair(TODAY)
    exhibitors = db.session.scalar(
        select(func.count()).select_from(Stand).where(Stand.fair_id == fair.id)
    )
    assert 0.4 * len(verified) <= exhibitors <= 0.6 * len(verified)

    products = db.session.scalar(
        select(func.count()).where(Product.status.in_(("active", "draft")))
    )
    assert products >= 300
    assert report.totals["products"] == products
    assert report.totals["cooperatives"] == len(verified)
    assert report.totals["exhibitors"] == exhibitors
    assert report.totals["images"] == 0
    assert [line.split(":")[0] for line in lines] == [
        "accounts",
        "categories",
        "fairs",
        "cooperatives",
        "pictures",
        "stands",
        "products",
        "applications",
        "documents",
        "fee_rules",
    ]


def test_the_khenifra_fair_is_open_today_with_half_the_cooperatives_exhibiting(small_demo):
    fair = open_fair(TODAY)
    assert fair is not None and fair.edition == 3
    assert (fair.city, fair.venue, fair.area_m2) == ("Khénifra", "Place Al Massira Al Khadra", 5000)
    assert fair.translated("venue", "ar") == "ساحة المسيرة الخضراء"
    assert small_demo.open_fair.id == fair.id
    earlier = db.session.scalars(select(Fair).where(Fair.edition < 3)).all()
    assert sorted(f.city for f in earlier) == ["Azilal", "Béni Mellal"]
    assert all(f.ends_on < TODAY for f in earlier)
    stands = db.session.scalars(select(Stand).where(Stand.fair_id == fair.id)).all()
    assert len(stands) == SMALL // 2
    assert len({stand.code for stand in stands}) == len(stands)
    tighza = db.session.scalar(select(Cooperative).where(Cooperative.slug == "tighza-olive"))
    assert tighza.id in {stand.cooperative_id for stand in stands}


def test_each_cooperative_is_verified_by_the_demo_admin_and_owned_by_its_account(small_demo):
    admin = db.session.scalar(select(User).where(User.email == DEMO_ADMIN.email))
    cooperatives = db.session.scalars(
        select(Cooperative).where(Cooperative.status == CooperativeStatus.VERIFIED)
    ).all()
    assert len(cooperatives) == SMALL
    for cooperative in cooperatives:
        (event,) = cooperative.status_events
        assert (event.from_status, event.to_status) == ("pending", "verified")
        assert (event.actor_id, event.note) == (admin.id, VERIFIED_NOTE)
        assert cooperative.status_changed_by_id == admin.id
        (membership,) = cooperative.memberships
        assert membership.role == MemberRole.OWNER
        assert membership.user.email == cooperative.email
        assert has_arabic(cooperative.translated("name", "ar"))
        assert cooperative.translated("description", "en").startswith("Founded in")


def test_products_have_prices_stock_labels_and_translations(small_demo):
    products = db.session.scalars(select(Product)).all()
    assert len(products) >= SMALL * 6
    assert all(p.price_cents > 0 and p.stock >= 0 for p in products)
    assert {p.status for p in products} <= {"active", "draft"}
    assert all(has_arabic(p.translated("name", "ar")) for p in products)
    assert all(p.translated("description", "en") != p.description for p in products)
    assert all(p.origin_province == p.cooperative.province for p in products)
    assert all(p.category.parent is not None for p in products)
    labels = db.session.scalars(select(ProductLabel)).all()
    assert labels and all(label.certificate_number.startswith("DEMO-") for label in labels)


def test_categories_form_a_tree_named_in_french_with_arabic_and_english(small_demo):
    olive_oil = db.session.scalar(select(Category).where(Category.slug == "olive-oil"))
    assert olive_oil.name == "Huile d'olive et olives"
    assert olive_oil.parent.slug == "terroir"
    assert olive_oil.translations == {
        "ar": {"name": "زيت الزيتون والزيتون"},
        "en": {"name": "Olive oil & olives"},
    }
    assert db.session.scalar(select(func.count()).select_from(Category)) == 19


def test_demo_admin_shopper_owner_and_applicants_log_in_with_the_demo_password(small_demo):
    admin = authenticate(DEMO_ADMIN.email, DEMO_PASSWORD)
    assert admin is not None and admin.is_admin
    shopper = authenticate(DEMO_SHOPPER.email, DEMO_PASSWORD)
    assert shopper is not None and not shopper.is_admin
    assert (shopper.phone, shopper.locale) == (DEMO_SHOPPER.phone, "fr")
    tighza = db.session.scalar(select(Cooperative).where(Cooperative.slug == "tighza-olive"))
    owner = authenticate("tighza-olive@coops.example", DEMO_PASSWORD)
    assert owner is not None and member_role(owner, tighza.id) == MemberRole.OWNER
    applicant = small_demo.accounts_with_role("applicant")[0]
    assert authenticate(applicant.email, DEMO_PASSWORD) is not None
    assert authenticate(DEMO_ADMIN.email, "not-the-password") is None
    # One hash made once: Argon2 salts it, so equal hashes prove it was not recomputed.
    hashes = set(db.session.scalars(select(User.password_hash)))
    assert len(hashes) == 1


def test_every_demo_account_is_seeded_with_a_verified_address(small_demo):
    """Cooperatives are paid only when their owners confirmed their address."""
    unverified = db.session.scalars(select(User.email).where(User.email_verified_at.is_(None)))

    assert list(unverified) == []


def test_pending_applications_wait_for_the_admin_with_their_applicants(small_demo):
    pending = db.session.scalars(
        select(Cooperative).where(Cooperative.status == CooperativeStatus.PENDING)
    ).all()
    assert len(pending) == 3
    for cooperative in pending:
        assert cooperative.status_events == []
        (membership,) = cooperative.memberships
        assert membership.role == MemberRole.OWNER
        assert cooperative.created_at < small_demo.open_fair.created_at
    applicants = small_demo.accounts_with_role("applicant")
    assert {a.email for a in applicants} == {c.email for c in pending}
    assert all(a.note for a in applicants)


def test_default_fee_rules_and_the_open_fairs_stand_rule_are_installed(small_demo):
    rules = db.session.scalars(select(FeeRule)).all()
    by_scope = {(rule.scope, rule.scope_value): rule for rule in rules}
    assert by_scope[("default", None)].commission_bps == 800
    assert by_scope[("legal_form", "association")].commission_bps == 400
    fair_rule = by_scope[("fair", str(small_demo.open_fair.id))]
    assert fair_rule.commission_bps == 0
    products = db.session.scalars(select(Product).where(Product.status == "active")).all()
    splits = unit_splits(products)
    assert set(splits) == {p.id for p in products}
    for product in products:
        split = splits[product.id]
        assert split.total_cents == product.price_cents
        expected = "association" if product.cooperative.legal_form == "association" else None
        assert (
            split.rule_id
            == by_scope[("legal_form", expected) if expected else ("default", None)].id
        )


def test_seeding_twice_adds_nothing(small_demo):
    before = row_counts()
    report, lines = quietly(cooperatives=SMALL, images=False)
    assert row_counts() == before
    assert sum(report.created.values()) == 0
    assert all(line.endswith(": 0 added") for line in lines)
    assert report.totals == small_demo.totals


def test_photos_go_through_the_upload_pipeline_and_a_rerun_keeps_them(app):
    report, _ = quietly(cooperatives=2, images=True)
    products = db.session.scalars(select(Product)).all()
    assert report.created["images"] == len(products) == report.totals["images"] > 0
    media_root = Path(app.config["MEDIA_ROOT"])
    for product in products:
        assert product.image_path.startswith("products/")
        assert (media_root / product.image_path).is_file()
        assert (media_root / thumbnail_path(product.image_path)).is_file()
        assert (product.image_width, product.image_height) == (640, 480)
    paths = {p.id: p.image_path for p in products}

    again, _ = quietly(cooperatives=2, images=True)
    assert again.created["images"] == 0
    assert {p.id: p.image_path for p in db.session.scalars(select(Product))} == paths


def test_a_demo_seeded_without_photos_gets_them_on_a_later_run(small_demo):
    report, _ = quietly(cooperatives=1, images=True)
    tighza_products = db.session.scalars(
        select(Product).join(Cooperative).where(Cooperative.slug == "tighza-olive")
    ).all()
    assert report.created["products"] == 0
    assert report.created["images"] == len(tighza_products)
    assert all(p.image_path for p in tighza_products)


def test_a_demo_of_no_cooperative_is_refused():
    with pytest.raises(ValueError):
        seed_demo(TODAY, cooperatives=0, images=False, log=lambda line: None)
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


def test_cli_prints_the_demo_accounts_password_and_address(app, monkeypatch):
    monkeypatch.setenv("PORT", "5055")
    result = app.test_cli_runner().invoke(
        args=["seed-demo", "--today", TODAY.isoformat(), "--no-images", "--no-history"]
    )
    assert result.exit_code == 0, result.output
    output = result.output
    assert DEMO_PASSWORD in output
    assert DEMO_ADMIN.email in output and DEMO_SHOPPER.email in output
    assert "tighza-olive@coops.example" in output
    assert "Coopérative Tighza pour l'huile d'olive" in output
    assert "ouzoud-crafts@coops.example" in output and "zayane-carpet@coops.example" in output
    for applicant in ("tafsut-saffron", "asafar-herbs", "tamaynut-sewing"):
        assert f"{applicant}@coops.example" in output
    assert "http://127.0.0.1:5055" in output
    assert "Place Al Massira Al Khadra, 2026-05-12 to 2026-05-19" in output
    verified = db.session.scalar(
        select(func.count()).where(Cooperative.status == CooperativeStatus.VERIFIED)
    )
    assert verified >= 40
    assert db.session.scalar(select(func.count()).select_from(CooperativeStatusEvent)) == verified


def test_cli_says_when_nothing_was_missing_and_when_the_fair_is_no_longer_open(app, small_demo):
    later = TODAY + timedelta(days=30)
    args = ["seed-demo", "--today", later.isoformat(), "--no-images", "--no-history"]
    first = app.test_cli_runner().invoke(args=args)
    assert "nothing was missing" not in first.output  # the other cooperatives were added
    second = app.test_cli_runner().invoke(args=args)
    assert second.exit_code == 0, second.output
    assert "nothing was missing" in second.output
    assert f"It is not open on {later}" in second.output
    assert "make clean" in second.output


def test_cli_refuses_a_malformed_date(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--today", "14/05/2026"])
    assert result.exit_code == 2
    assert "--today" in result.output
    assert db.session.scalar(select(func.count()).select_from(Cooperative)) == 0


def test_the_demo_tells_each_cooperatives_story_with_a_gallery_per_product(app):
    report, _ = quietly(cooperatives=2, images=True)
    media_root = Path(app.config["MEDIA_ROOT"])
    for product in db.session.scalars(select(Product)):
        assert 2 <= len(product.photos) <= 4
        assert product.photos[0].image_path == product.image_path
        assert all((media_root / photo.image_path).is_file() for photo in product.photos)
    cooperatives = db.session.scalars(
        select(Cooperative).where(Cooperative.status == CooperativeStatus.VERIFIED)
    ).all()
    for cooperative in cooperatives:
        assert cooperative.story.startswith("Tout a commencé en")
        assert cooperative.translated("story", "ar").startswith("بدأت الحكاية")
        assert cooperative.founded_year and cooperative.members_count
        for path in (cooperative.cover_path, cooperative.logo_path):
            assert path.startswith("cooperatives/") and (media_root / path).is_file()
    assert report.created["pictures"] == 2 * len(cooperatives)
    assert report.created["photos"] == report.totals["photos"] - report.totals["images"]

    again, _ = quietly(cooperatives=2, images=True)
    assert again.created["photos"] == again.created["pictures"] == 0


def test_every_demo_cooperative_selling_food_has_its_onssa_authorisation_and_may_publish(
    app, small_demo
):
    from app.catalog import services as catalog_services
    from app.catalog.queries import food_category_ids, sells_food
    from app.cooperatives.documents import sniff
    from app.cooperatives.queries import documents_of, has_document

    verified = db.session.scalars(
        select(Cooperative).where(Cooperative.status == CooperativeStatus.VERIFIED)
    ).all()
    food_sellers = [cooperative for cooperative in verified if sells_food(cooperative.id)]
    assert food_sellers
    assert all(has_document(c.id, "onssa_authorisation") for c in food_sellers)
    asafar = db.session.scalar(select(Cooperative).where(Cooperative.name.contains("Asafar")))
    assert not has_document(asafar.id, "onssa_authorisation")  # its note says it has none

    seller = food_sellers[0]
    owner = db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cooperative_id == seller.id, Membership.role == MemberRole.OWNER)
    )
    food = db.session.get(Category, min(food_category_ids()))
    with app.test_request_context():
        product = catalog_services.create_product(
            seller,
            owner,
            {
                "name": "Miel de démonstration",
                "price_cents": 9000,
                "unit": "500 g",
                "category_id": food.id,
                "status": "active",
            },
        )
    assert product.status == "active"
    [onssa] = [d for d in documents_of(seller.id) if d.kind == "onssa_authorisation"]
    stored = Path(app.config["DOCUMENTS_ROOT"]) / onssa.stored_path
    assert sniff(stored.read_bytes()[:16]) == ("pdf", "application/pdf")
