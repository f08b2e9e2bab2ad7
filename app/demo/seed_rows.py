"""The rows of the demo, made from the pure demo data (app/demo/*_data.py); nothing is committed.

Names and descriptions are stored in French, the base language of the marketplace, with
Arabic and English in each row's `translations` JSON ({"ar": {"name": ...}, "en": {...}}).
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from app.accounts.models import Role, User
from app.catalog.models import Category, Product, ProductLabel
from app.cooperatives.models import (
    Cooperative,
    CooperativeStatus,
    CooperativeStatusEvent,
    MemberRole,
    Membership,
)
from app.core.db import utcnow
from app.demo.catalog_data import DemoCategory
from app.demo.cooperative_data import DemoCooperative
from app.demo.fair_data import DemoFair, translations
from app.demo.product_data import DemoProduct
from app.demo.product_images import render_product_image
from app.extensions import db
from app.fair.models import Fair

#: Threads drawing product photos ahead of the one storing them.
PHOTO_THREADS = 2


def user(
    name: str,
    email: str,
    password_hash: str,
    *,
    phone: str | None = None,
    role: str | None = None,
    locale: str | None = None,
) -> User:
    """An account (added to the session; a shopper unless `role` says admin) with that hash.

    Its address counts as verified: the demo's addresses are ours, and its
    cooperatives' owners must be verified to be paid.
    """
    account = User(
        email=email.lower(),
        name=name,
        password_hash=password_hash,
        role=role or Role.SHOPPER,
        phone=phone,
        locale=locale,
        email_verified_at=utcnow(),
    )
    db.session.add(account)
    return account


def category(demo: DemoCategory, parent: Category | None) -> Category:
    return Category(
        slug=demo.slug,
        name=demo.name.fr,
        parent=parent,
        position=demo.position,
        translations=translations({"name": demo.name}),
    )


def fair(demo: DemoFair, starts_on: date, ends_on: date) -> Fair:
    return Fair(
        slug=demo.slug,
        name=demo.name.fr,
        edition=demo.edition,
        city=demo.city.fr,
        venue=demo.venue.fr,
        province=demo.province,
        area_m2=demo.area_m2,
        starts_on=starts_on,
        ends_on=ends_on,
        translations=translations({"name": demo.name, "city": demo.city, "venue": demo.venue}),
    )


def profile(demo: DemoCooperative) -> dict[str, Any]:
    """The cooperative's papers and contact details as typed in the application form."""
    return {
        "name": demo.name.fr,
        "legal_form": demo.legal_form,
        "registration_number": demo.registration_number,
        "ice": demo.ice,
        "province": demo.province,
        "commune": demo.commune,
        "phone": demo.phone,
        "email": demo.email,
        "description": demo.description.fr,
        "onssa_number": demo.onssa_number,
        "payout_method": demo.payout_method,
        "rib": demo.rib,
        "shipping_fee_cents": demo.shipping_fee_cents,
        # Stated delivery time: 1 to 3 days at least, two more at most (no draw of the seed's
        # random numbers, so the rest of the demo stays as it was).
        "delivery_days_min": 1 + demo.shipping_fee_cents // 500 % 3,
        "delivery_days_max": 3 + demo.shipping_fee_cents // 500 % 3,
        "offers_home_delivery": True,
        "offers_pickup": demo.offers_pickup,
        "pickup_address": demo.address,
        "story": demo.story.fr,
        "founded_year": demo.founded_year,
        "members_count": demo.members,
    }


def cooperative(demo: DemoCooperative, checked_profile: dict[str, Any]) -> Cooperative:
    """A cooperative (added to the session) from `checked_profile` (clean_profile's output)."""
    row = Cooperative(
        slug=demo.slug,
        stripe_account_id=demo.stripe_account_id,
        translations=translations(
            {"name": demo.name, "description": demo.description, "story": demo.story}
        ),
        **checked_profile,
    )
    db.session.add(row)
    return row


def add_owner(cooperative: Cooperative, owner: User) -> None:
    cooperative.memberships.append(Membership(user=owner, role=MemberRole.OWNER))


def record_verification(cooperative: Cooperative, admin: User, note: str, at: datetime) -> None:
    """Mark `cooperative` verified by `admin` at `at`, with the status event admins see."""
    cooperative.status = CooperativeStatus.VERIFIED
    cooperative.status_note = note
    cooperative.status_changed_at = at
    cooperative.status_changed_by_id = admin.id
    cooperative.status_events.append(
        CooperativeStatusEvent(
            from_status=CooperativeStatus.PENDING,
            to_status=CooperativeStatus.VERIFIED,
            note=note,
            actor_id=admin.id,
            created_at=at,
        )
    )


def product(
    demo: DemoProduct, cooperative: Cooperative, categories: dict[str, Category]
) -> Product:
    return Product(
        cooperative=cooperative,
        category=categories[demo.category],
        slug=demo.slug,
        name=demo.name.fr,
        description=demo.description.fr,
        translations=translations({"name": demo.name, "description": demo.description}),
        price_cents=demo.price_cents,
        stock=demo.stock,
        unit=demo.unit,
        origin_commune=demo.origin_commune,
        origin_province=demo.origin_province,
        status=demo.status,
        labels=[
            ProductLabel(kind=label.kind, certificate_number=label.certificate_number)
            for label in demo.labels
        ],
    )


def photos(
    wanted: list[tuple[Product, DemoProduct, int]],
) -> Iterator[tuple[Product, int, bytes]]:
    """Each product with the number of the view drawn and its photo (a JPEG), in order.

    The drawing is pure Pillow work, done ahead in other threads while the caller stores
    the previous photos, which takes about a third off seeding the whole catalog.
    """
    with ThreadPoolExecutor(max_workers=PHOTO_THREADS) as pool:
        drawn = pool.map(
            lambda item: render_product_image(item[1].category, item[1].image_seed, view=item[2]),
            wanted,
        )
        for (product, _demo, view), picture in zip(wanted, drawn, strict=True):
            yield product, view, picture


def photo_count(demo: DemoProduct) -> int:
    """How many photos the demo product's gallery shows: 2 to 4, the same on every run."""
    return 2 + demo.image_seed % 3


def picture_seed(demo: DemoCooperative) -> int:
    """A seed for the cooperative's cover and logo that depends on its slug alone."""
    return zlib.crc32(demo.slug.encode())


def onssa_authorisation_pdf(demo: DemoCooperative) -> bytes:
    """A one-page PDF standing for the cooperative's ONSSA sanitary authorisation (marked as a
    demo document), the same bytes on every run."""
    buffer = io.BytesIO()
    page = Canvas(buffer, pagesize=A4, invariant=1)
    page.setTitle(f"ONSSA {demo.onssa_number}")
    lines = (
        "Office National de Securite Sanitaire des produits Alimentaires (ONSSA)",
        f"Autorisation sanitaire {demo.onssa_number}",
        demo.name.fr,
        "Document de demonstration, sans valeur.",
    )
    for number, line in enumerate(lines):
        page.drawString(72, 770 - 24 * number, line)
    page.showPage()
    page.save()
    return buffer.getvalue()
