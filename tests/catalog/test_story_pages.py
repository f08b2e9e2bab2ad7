"""Pages that tell the story (issue 17): product galleries of up to 6 photos the cooperative
orders, the product page that shows them, the home page (tiles, new products of many
cooperatives, the open fair first), and the cooperative page with the cover and logo its
members upload, its story in the reader's language, its labels and its products."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from support.factories import (
    CategoryFactory,
    CooperativeFactory,
    FairFactory,
    MembershipFactory,
    ProductFactory,
    ProductLabelFactory,
    StandFactory,
    csrf_from,
    login_as,
)

from app.catalog.gallery import PhotoAction, arranged
from app.catalog.label_summary import label_certificates
from app.catalog.mixing import mixed_newest
from app.catalog.models import Product
from app.cooperatives.models import Cooperative, CooperativeDocument
from app.extensions import db

FR = {"Accept-Language": "fr"}
AR = {"Accept-Language": "ar"}
EN = {"Accept-Language": "en"}


def text_of(response) -> str:
    return response.get_data(as_text=True)


# The pure rules -------------------------------------------------------------------


def test_new_products_keep_at_most_two_of_one_cooperative_in_newest_order():
    newest = [("a1", "A"), ("a2", "A"), ("a3", "A"), ("b1", "B"), ("a4", "A"), ("c1", "C")]

    chosen = mixed_newest(newest, lambda item: item[1], limit=8)

    assert [name for name, _ in chosen] == ["a1", "a2", "b1", "c1"]


def test_new_products_stop_at_the_limit():
    newest = [(n, n) for n in range(20)]

    assert mixed_newest(newest, lambda item: item[1], limit=8) == newest[:8]


@pytest.mark.parametrize(
    ("action", "photo", "expected"),
    [
        (PhotoAction.UP, 3, [1, 3, 2]),
        (PhotoAction.UP, 1, [1, 2, 3]),
        (PhotoAction.DOWN, 1, [2, 1, 3]),
        (PhotoAction.DOWN, 3, [1, 2, 3]),
        (PhotoAction.MAIN, 3, [3, 1, 2]),
        (PhotoAction.DELETE, 2, [1, 3]),
    ],
)
def test_arranging_the_gallery(action, photo, expected):
    assert arranged([1, 2, 3], photo, action) == expected


def test_arranging_a_photo_not_in_the_gallery_is_refused():
    with pytest.raises(KeyError):
        arranged([1, 2], 9, PhotoAction.MAIN)


def test_label_certificates_gather_each_kind_once_in_the_kinds_order():
    first, second = ProductFactory(), ProductFactory()
    ProductLabelFactory(product=first, kind="organic", certificate_number="BIO-1")
    ProductLabelFactory(product=second, kind="organic", certificate_number="BIO-1")
    ProductLabelFactory(product=second, kind="IGP", certificate_number=None)
    db.session.flush()
    db.session.expire_all()

    assert label_certificates([first, second]) == [("IGP", []), ("organic", ["BIO-1"])]


# The dashboard gallery --------------------------------------------------------------


def _upload(client, product, data: bytes, name: str = "photo.jpg", headers=None):
    edit = f"/dashboard/{product.cooperative_id}/products/{product.id}/edit"
    return client.post(
        f"/dashboard/{product.cooperative_id}/products/{product.id}/photo",
        data={"csrf_token": csrf_from(client, edit), "photo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=headers or {},
    )


def _arrange(client, product, photo_id: int, action: str, *, confirmed: bool = True):
    edit = f"/dashboard/{product.cooperative_id}/products/{product.id}/edit"
    data = {"csrf_token": csrf_from(client, edit)}
    if confirmed:
        data["confirmed"] = "yes"
    return client.post(
        f"/dashboard/{product.cooperative_id}/products/{product.id}/photos/{photo_id}/{action}",
        data=data,
    )


def _gallery(product) -> list[str]:
    db.session.expire_all()
    return [photo.image_path for photo in db.session.get(Product, product.id).photos]


@pytest.fixture
def listed(cooperative, owner, client, image_bytes):
    """A product of `cooperative` with three photos (red, green, blue), its owner logged in."""
    product = ProductFactory(cooperative=cooperative)
    login_as(client, owner)
    for color in ((200, 0, 0), (0, 200, 0), (0, 0, 200)):
        assert (
            _upload(client, product, image_bytes("PNG", (400, 300), color=color)).status_code == 302
        )
    return product


def test_members_add_photos_to_the_gallery_and_the_first_is_the_main_one(listed):
    gallery = _gallery(listed)

    assert len(gallery) == 3 and len(set(gallery)) == 3
    assert db.session.get(Product, listed.id).image_path == gallery[0]


def test_the_gallery_order_persists_and_the_main_photo_follows_it(client, listed):
    red, green, blue = _gallery(listed)
    photos = {photo.image_path: photo.id for photo in db.session.get(Product, listed.id).photos}

    assert _arrange(client, listed, photos[blue], "main").status_code == 302
    assert _gallery(listed) == [blue, red, green]
    assert _arrange(client, listed, photos[green], "up").status_code == 302
    assert _gallery(listed) == [blue, green, red]
    assert _arrange(client, listed, photos[blue], "delete").status_code == 302

    assert _gallery(listed) == [green, red]
    assert db.session.get(Product, listed.id).image_path == green


def test_deleting_a_photo_without_the_confirmation_asks_first_and_changes_nothing(client, listed):
    red, green, blue = _gallery(listed)
    photos = {photo.image_path: photo.id for photo in db.session.get(Product, listed.id).photos}

    asked = _arrange(client, listed, photos[green], "delete", confirmed=False)
    moved = _arrange(client, listed, photos[blue], "main", confirmed=False)

    assert asked.status_code == 200
    assert 'name="confirmed" value="yes"' in text_of(asked)
    assert moved.status_code == 302  # only deleting cannot be undone
    assert _gallery(listed) == [blue, red, green]


def test_a_seventh_photo_is_refused_next_to_the_field(client, listed, image_bytes):
    for n in range(3):
        _upload(client, listed, image_bytes("JPEG", (300, 200), color=(10 * n, 90, 90)))

    refused = _upload(
        client, listed, image_bytes("JPEG", (300, 200)), headers={"Accept-Language": "en"}
    )

    assert refused.status_code == 422
    assert "A product has at most 6 photos" in text_of(refused)
    assert len(_gallery(listed)) == 6


def test_a_file_that_is_not_a_photo_leaves_the_gallery_as_it_was(client, listed):
    before = _gallery(listed)

    refused = _upload(
        client, listed, b"%PDF-1.4 not a photo", "photo.jpg", {"Accept-Language": "en"}
    )

    assert refused.status_code == 422
    assert "not a photo we can read" in text_of(refused)
    assert _gallery(listed) == before


def test_only_members_of_the_cooperative_arrange_its_gallery(client, listed, image_bytes):
    photo_id = db.session.get(Product, listed.id).photos[-1].id
    before = _gallery(listed)
    token = csrf_from(client, f"/dashboard/{listed.cooperative_id}/products/{listed.id}/edit")
    outsider = MembershipFactory().user  # owner of another cooperative
    login_as(client, outsider)

    moved = client.post(
        f"/dashboard/{listed.cooperative_id}/products/{listed.id}/photos/{photo_id}/main",
        data={"csrf_token": token},
    )
    uploaded = client.post(
        f"/dashboard/{listed.cooperative_id}/products/{listed.id}/photo",
        data={"csrf_token": token, "photo": (io.BytesIO(image_bytes("PNG")), "p.png")},
        content_type="multipart/form-data",
    )

    assert moved.status_code == 403 and uploaded.status_code == 403
    assert _gallery(listed) == before


def test_a_photo_of_another_product_is_not_found(client, listed, owner, image_bytes):
    other = ProductFactory(cooperative=listed.cooperative)
    _upload(client, other, image_bytes("PNG", (200, 200)))
    foreign_id = db.session.get(Product, other.id).photos[0].id

    response = _arrange(client, listed, foreign_id, "delete")

    assert response.status_code == 404
    assert len(_gallery(other)) == 1


# The product page -------------------------------------------------------------------


@pytest.mark.parametrize("headers", [FR, AR])
def test_the_product_page_shows_every_photo_labels_in_words_and_more_from_the_cooperative(
    client, listed, headers
):
    ProductLabelFactory(product=listed, kind="organic", certificate_number="BIO-2024-1")
    sibling = ProductFactory(cooperative=listed.cooperative, name="Miel de thym")
    db.session.commit()
    client.get("/logout")

    page = text_of(client.get(f"/products/{listed.id}", headers=headers))

    assert (
        len(re.findall(r'<li id="photo-\d"><img src="http://localhost/media/products/', page)) == 3
    )
    assert page.count('href="#photo-') == 3
    labels = re.search(r'<ul class="labels" role="list">(.*?)</ul>', page, re.DOTALL)[1]
    assert ">organic<" not in labels
    assert ("Biologique" if headers is FR else "عضوي") in labels
    assert "BIO-2024-1" in labels
    assert f'href="/products/{sibling.id}"' in page


# Home -------------------------------------------------------------------------------


def test_home_mixes_new_products_across_cooperatives_and_shows_tiles(client):
    category = CategoryFactory(name="Huiles")
    crowded, other = CooperativeFactory(), CooperativeFactory()
    ProductFactory.create_batch(6, cooperative=crowded, category=category)
    ProductFactory(cooperative=other, category=category)
    FairFactory(name="Salon de Khénifra")
    db.session.commit()

    page = text_of(client.get("/", headers=FR))

    cards = re.findall(r'<article class="card product-card">\s*<a href="/products/(\d+)"', page)
    owners = [db.session.get(Product, int(id_)).cooperative_id for id_ in cards]
    assert owners.count(crowded.id) == 2 and owners.count(other.id) == 1
    assert page.index("Salon de Khénifra") < page.index("Nouveaux produits")
    assert page.count('class="tile tile-') == 5 + 1  # five provinces, one category
    assert '<ul class="provinces">' not in page and '<ul class="categories">' not in page


# The cooperative page ---------------------------------------------------------------


@pytest.fixture
def storied(cooperative):
    cooperative.story = "Tout a commencé en 2009 à Tighza.\nAujourd'hui nous sommes 40."
    cooperative.translations = {"ar": {"story": "بدأت الحكاية سنة 2009 في تيغزة."}}
    cooperative.founded_year = 2009
    cooperative.members_count = 40
    return cooperative


def _profile(cooperative) -> str:
    return f"/dashboard/{cooperative.id}/profile"


def _filled_profile(client, cooperative) -> dict[str, str]:
    """The profile form's fields as the page shows them (text inputs and chosen options)."""
    page = text_of(client.get(_profile(cooperative), headers=EN))
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    fields |= dict(
        re.findall(r'<select[^>]*name="([a-z_]+)"[^>]*>.*?<option selected value="([^"]*)"', page)
    )
    return {name: value for name, value in fields.items() if not name.endswith("photo")}


def _upload_picture(client, cooperative, kind: str, data: bytes, headers=None):
    return client.post(
        f"/dashboard/{cooperative.id}/profile/{kind}",
        data={
            "csrf_token": csrf_from(client, _profile(cooperative)),
            f"{kind}-photo": (io.BytesIO(data), f"{kind}.png"),
        },
        content_type="multipart/form-data",
        headers=headers or {},
    )


def test_members_upload_the_cover_and_the_logo_re_encoded(
    app, client, cooperative, owner, image_bytes
):
    login_as(client, owner)

    cover = _upload_picture(client, cooperative, "cover", image_bytes("PNG", (2400, 800)))
    logo = _upload_picture(client, cooperative, "logo", image_bytes("WEBP", (500, 500)))

    assert cover.status_code == logo.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Cooperative, cooperative.id)
    assert stored.cover_path.startswith("cooperatives/") and stored.cover_path.endswith(".jpg")
    assert (stored.cover_width, stored.cover_height) == (1600, 533)
    media = Path(app.config["MEDIA_ROOT"])
    assert (media / stored.cover_path).read_bytes()[:3] == b"\xff\xd8\xff"
    assert (media / stored.logo_path).is_file()


def test_a_bad_picture_re_renders_the_profile_with_the_error(client, cooperative, owner):
    login_as(client, owner)

    response = _upload_picture(client, cooperative, "logo", b"GIF89a not a photo", EN)

    assert response.status_code == 422
    page = text_of(response)
    assert "not a photo we can read" in page or "Only JPEG, PNG and WebP" in page
    assert 'name="name"' in page  # the profile form is there, as it was
    db.session.expire_all()
    assert db.session.get(Cooperative, cooperative.id).logo_path is None


def test_only_members_upload_pictures(client, cooperative, owner, image_bytes):
    login_as(client, owner)
    token = csrf_from(client, _profile(cooperative))
    login_as(client, MembershipFactory().user)  # owner of another cooperative

    response = client.post(
        f"/dashboard/{cooperative.id}/profile/cover",
        data={"csrf_token": token, "cover-photo": (io.BytesIO(image_bytes("PNG")), "c.png")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Cooperative, cooperative.id).cover_path is None


def test_members_tell_the_story_in_french_and_arabic(client, cooperative, owner):
    login_as(client, owner)
    fields = _filled_profile(client, cooperative) | {
        "description": cooperative.description,
        "offers_home_delivery": "y",
        "offers_pickup": "y",
        "story": "Fondée par des femmes du douar.",
        "story_ar": "أسستها نساء الدوار.",
        "founded_year": "2011",
        "members_count": "27",
    }

    response = client.post(_profile(cooperative), data=fields, headers=EN)

    assert response.status_code == 302, text_of(response)
    db.session.expire_all()
    saved = db.session.get(Cooperative, cooperative.id)
    assert (saved.story, saved.founded_year, saved.members_count) == (
        "Fondée par des femmes du douar.",
        2011,
        27,
    )
    assert saved.translated("story", "ar") == "أسستها نساء الدوار."


def test_a_founding_year_in_the_future_is_refused_next_to_the_field(client, cooperative, owner):
    login_as(client, owner)
    fields = _filled_profile(client, cooperative) | {"founded_year": "3020"}

    response = client.post(_profile(cooperative), data=fields, headers=EN)

    assert response.status_code == 422
    assert "Give the year the cooperative was founded" in text_of(response)


@pytest.mark.parametrize(
    ("headers", "story", "members", "founded", "label"),
    [
        (FR, "Tout a commencé en 2009 à Tighza.", "40 membres", "en 2009", "Label Agricole"),
        (AR, "بدأت الحكاية سنة 2009 في تيغزة.", "40 عضوا", "سنة 2009", "العلامة الفلاحية"),
    ],
)
def test_the_cooperative_page_tells_its_story(
    client, storied, headers, story, members, founded, label
):
    storied.cover_path = "cooperatives/ab/cover.jpg"
    storied.cover_width, storied.cover_height = 1600, 533
    storied.logo_path = "cooperatives/cd/logo.jpg"
    StandFactory(cooperative=storied, code="B-07")
    oil = ProductFactory(cooperative=storied, image_path="products/ef/oil.jpg")
    ProductLabelFactory(product=oil, kind="label_agricole", certificate_number="LA-77")
    db.session.commit()

    page = text_of(client.get(f"/cooperatives/{storied.slug}", headers=headers))

    assert 'class="coop-cover" src="http://localhost/media/cooperatives/ab/cover.jpg"' in page
    assert "media/cooperatives/cd/logo-480.jpg" in page
    assert story in page
    assert members in page and founded in page
    assert "B-07" in page
    # Products are linked cards with their photo, in a grid (no bullet list).
    assert re.search(rf'<a href="/products/{oil.id}">\s*<img src="[^"]+/oil-480.jpg"', page)
    labels = re.search(r'<ul class="labels" role="list">(.*?)</ul>', page, re.DOTALL)[1]
    assert "label_agricole" not in labels and label in labels and "LA-77" in labels


def test_a_label_shows_certified_only_with_its_certificate_on_file(client, cooperative):
    product = ProductFactory(cooperative=cooperative)
    ProductLabelFactory(product=product, kind="IGP", certificate_number="IGP-1")
    db.session.commit()
    url = f"/cooperatives/{cooperative.slug}"

    before = text_of(client.get(url, headers=EN))
    db.session.add(
        CooperativeDocument(
            cooperative_id=cooperative.id,
            kind="label_certificate",
            filename="igp.pdf",
            stored_path=f"{cooperative.id}/igp.pdf",
            content_type="application/pdf",
            size_bytes=10,
        )
    )
    db.session.commit()
    after = text_of(client.get(url, headers=EN))

    assert 'class="badge certified"' not in before
    assert 'class="badge certified"' in after


def test_a_cooperative_without_a_story_shows_its_description(client):
    plain = CooperativeFactory(description="Huile de la montagne et miel de thym.")
    db.session.commit()

    page = text_of(client.get(f"/cooperatives/{plain.slug}", headers=FR))

    assert "Huile de la montagne et miel de thym." in page
    assert 'class="coop-cover"' not in page
