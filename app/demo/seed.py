"""Load the demo marketplace into the database: `seed_demo()`, behind `flask seed-demo`.

The run goes in phases (people, categories, fairs, cooperatives, stands, products,
applications, fee rules), each committed once. A phase only adds what is missing, finding
rows by slug or e-mail first, so a second run adds nothing and a run cut short is finished
by running it again. Rows are inserted here rather than through the one-at-a-time use cases
(hundreds of commits, an Argon2 hash per account), but what those use cases check is checked
the same way: cooperative papers through `cooperatives.validation.clean_profile`, photos
through the catalog's upload pipeline; the demo password is hashed once for every account.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.accounts.passwords import hash_password
from app.catalog.models import Category, Product, ProductPhoto
from app.catalog.operations import add_product_photo_bytes, store_product_image_bytes
from app.cooperatives.models import (
    Cooperative,
    CooperativeDocument,
    CooperativeStatus,
    DocumentKind,
    MemberRole,
    Membership,
)
from app.cooperatives.operations import file_document, store_picture_bytes
from app.cooperatives.validation import REQUIRED_AT_APPLICATION, clean_profile
from app.core.db import utcnow
from app.demo import seed_rows
from app.demo.catalog_data import CATEGORIES
from app.demo.cooperative_data import (
    DemoApplication,
    DemoCooperative,
    build_cooperatives,
    build_pending_applications,
)
from app.demo.fair_data import (
    DEMO_ADMIN,
    DEMO_PASSWORD,
    DEMO_SHOPPER,
    FAIRS,
    HISTORY_SHOPPERS,
    fair_dates,
)
from app.demo.history import WEEKS, HistoryReport, seed_history
from app.demo.product_data import DemoProduct, build_products
from app.demo.product_images import render_cover, render_logo
from app.extensions import db
from app.fair.models import Fair, Stand
from app.fair.queries import morocco_today
from app.fees.models import FeeRule
from app.fees.services import install_default_rules

#: Edition of the fair that is open during the demo (Khenifra).
OPEN_EDITION = 3
VERIFIED_NOTE = "Verified by the demo admin: papers checked (demo data)."

Row = TypeVar("Row")


@dataclass(frozen=True)
class DemoAccount:
    """A demo login; every one of them uses DEMO_PASSWORD."""

    role: str  # "admin", "shopper", "owner" (of a verified cooperative) or "applicant"
    name: str
    email: str
    cooperative: str | None = None  # its cooperative's name, for owners and applicants
    note: str | None = None  # for applicants: what the admin should notice


@dataclass
class SeedReport:
    """What a run found and did."""

    today: date
    #: Rows this run added, by kind (accounts, categories, fairs, cooperatives, pictures (a
    #: cooperative's cover and logo), stands, products, images (main photos), photos (the
    #: galleries' others), applications, documents (ONSSA authorisations), fee_rules): all 0
    #: on a second run.
    created: Counter[str] = field(default_factory=Counter)
    #: Demo rows in the database after the run, by the same kinds, and "exhibitors": the
    #: verified cooperatives with a stand at the open fair.
    totals: dict[str, int] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)
    open_fair: Fair | None = None
    #: The eight weeks of orders and payouts (app.demo.history); None when not asked for.
    history: HistoryReport | None = None
    seconds: float = 0.0

    def accounts_with_role(self, role: str) -> list[DemoAccount]:
        return [account for account in self.accounts if account.role == role]


class _PasswordHash:
    """DEMO_PASSWORD hashed once, and only if some account is missing (Argon2 is slow)."""

    def __init__(self) -> None:
        self._hash: str | None = None

    def __call__(self) -> str:
        if self._hash is None:
            self._hash = hash_password(DEMO_PASSWORD)
        return self._hash


def seed_demo(
    today: date | None = None,
    *,
    cooperatives: int = 44,
    images: bool = True,
    history: bool = False,
    history_weeks: int = WEEKS,
    log: Callable[[str], object] = print,
) -> SeedReport:
    """Add the demo marketplace, with the 3rd fair open on `today` (default: Morocco's date).

    `cooperatives` verified cooperatives (the data spreads 40 or more over the five
    provinces and four legal forms), half of them exhibiting at the open fair, each with an
    owner account and 6 to 9 products (with 2 to 4 generated photos, and the cooperative with
    a cover and a logo, unless `images` is False);
    the demo admin and shopper; three pending applications with their applicants; the
    default fee rules and the open fair's stand rule; with `history`, eight weeks of orders,
    refunds and payouts made through the services (``app.demo.history``). Idempotent: rows
    already there (by
    slug or e-mail) are left as they are, and products without a photo get one when
    `images` is True. Each phase commits once; `log` receives one line per phase.
    Raises ValueError when `cooperatives` < 1, and ValidationFailed when demo data fails
    the checks of the application form (a bug in the data modules).
    """
    if cooperatives < 1:
        raise ValueError("the demo needs at least one cooperative")
    started = time.perf_counter()
    today = today or morocco_today()
    report = SeedReport(today=today)
    password_hash = _PasswordHash()
    demo_cooperatives = build_cooperatives(count=cooperatives)
    applications = build_pending_applications()
    products = build_products(demo_cooperatives)

    created = report.created

    def phase(kind: str, work: Callable[[], object]) -> None:
        try:
            work()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        log(f"{kind}: {created[kind]} added")

    people: dict[str, User] = {}
    phase("accounts", lambda: _seed_people(people, password_hash, created))
    categories: dict[str, Category] = {}
    phase("categories", lambda: _seed_categories(categories, created))
    fairs: dict[int, Fair] = {}
    phase("fairs", lambda: _seed_fairs(fairs, today, created))
    coops: dict[str, Cooperative] = {}
    phase(
        "cooperatives",
        lambda: _seed_cooperatives(
            coops, demo_cooperatives, people["admin"], password_hash, created
        ),
    )
    phase("pictures", lambda: _seed_pictures(demo_cooperatives, coops, images, created))
    phase("stands", lambda: _seed_stands(demo_cooperatives, coops, fairs, created))
    phase("products", lambda: _seed_products(products, coops, categories, images, created))
    phase("applications", lambda: _seed_applications(applications, password_hash, created))
    everyone = [*demo_cooperatives, *(application.cooperative for application in applications)]
    phase("documents", lambda: _seed_documents(everyone, created))
    # install_default_rules is a use case of its own: it commits.
    created["fee_rules"] += len(install_default_rules(fair=fairs[OPEN_EDITION]))
    log(f"fee_rules: {created['fee_rules']} added")
    if history:
        phase("accounts", lambda: _seed_history_shoppers(people, password_hash, created))
        shoppers = [people["shopper"], *(people[person.email] for person in HISTORY_SHOPPERS)]
        report.history = seed_history(
            today,
            people["admin"],
            shoppers,
            fairs[OPEN_EDITION],
            weeks=history_weeks,
            log_line=log,
        )

    report.open_fair = fairs[OPEN_EDITION]
    report.accounts = _accounts(demo_cooperatives, applications)
    report.totals = _totals(demo_cooperatives, applications, products, fairs[OPEN_EDITION])
    report.seconds = time.perf_counter() - started
    return report


# Phases: each adds what is missing, counts it in `created` and flushes (the caller commits).


def _existing(model: type[Row], column, keys: Iterable[str]) -> dict[str, Row]:
    """Rows of `model` whose `column` is one of `keys`, by that key, in one query."""
    rows = db.session.scalars(select(model).where(column.in_(list(keys))))
    return {getattr(row, column.key): row for row in rows}


class _Accounts:
    """Finds demo accounts by e-mail, making the missing ones with the shared password hash."""

    def __init__(self, emails: Iterable[str], password_hash: Callable[[], str], created: Counter):
        self._found = _existing(User, User.email, [email.lower() for email in emails])
        self._password_hash = password_hash
        self._created = created

    def get(self, name: str, email: str, **details: str | None) -> User:
        """The account with `email`; a new one gets `name` and `details` (phone, role, locale)."""
        account = self._found.get(email.lower())
        if account is not None and account.email_verified_at is None:
            # Seeded before addresses were verified: the demo's addresses are ours.
            account.email_verified_at = utcnow()
        if account is None:
            account = seed_rows.user(name, email, self._password_hash(), **details)
            self._found[account.email] = account
            self._created["accounts"] += 1
        return account


def _seed_people(people: dict[str, User], password_hash: Callable[[], str], created: Counter):
    accounts = _Accounts([DEMO_ADMIN.email, DEMO_SHOPPER.email], password_hash, created)
    for key, person, role in (("admin", DEMO_ADMIN, Role.ADMIN), ("shopper", DEMO_SHOPPER, None)):
        people[key] = accounts.get(
            person.name, person.email, phone=person.phone, role=role, locale=person.language
        )
    db.session.flush()


def _seed_history_shoppers(
    people: dict[str, User], password_hash: Callable[[], str], created: Counter
) -> None:
    accounts = _Accounts([person.email for person in HISTORY_SHOPPERS], password_hash, created)
    for person in HISTORY_SHOPPERS:
        people[person.email] = accounts.get(
            person.name, person.email, phone=person.phone, locale=person.language
        )
    db.session.flush()


def _seed_categories(categories: dict[str, Category], created: Counter) -> None:
    categories.update(_existing(Category, Category.slug, [c.slug for c in CATEGORIES]))
    for demo in CATEGORIES:  # parents come before their children
        if demo.slug not in categories:
            parent = categories[demo.parent] if demo.parent else None
            categories[demo.slug] = seed_rows.category(demo, parent)
            db.session.add(categories[demo.slug])
            created["categories"] += 1
    db.session.flush()


def _seed_fairs(fairs: dict[int, Fair], today: date, created: Counter) -> None:
    existing = _existing(Fair, Fair.slug, [fair.slug for fair in FAIRS])
    dates = fair_dates(today)
    for demo in FAIRS:
        fair = existing.get(demo.slug)
        if fair is None:
            fair = seed_rows.fair(demo, *dates[demo.edition])
            db.session.add(fair)
            created["fairs"] += 1
        fairs[demo.edition] = fair
    db.session.flush()


def _seed_cooperatives(
    coops: dict[str, Cooperative],
    demo_cooperatives: list[DemoCooperative],
    admin: User,
    password_hash: Callable[[], str],
    created: Counter,
) -> None:
    coops.update(_existing(Cooperative, Cooperative.slug, [c.slug for c in demo_cooperatives]))
    missing = [demo for demo in demo_cooperatives if demo.slug not in coops]
    owners = _Accounts([demo.owner_email for demo in missing], password_hash, created)
    now = utcnow()
    for demo in missing:
        owner = owners.get(demo.owner_name, demo.owner_email, phone=demo.phone)
        cooperative = seed_rows.cooperative(demo, _checked_profile(demo))
        seed_rows.add_owner(cooperative, owner)
        seed_rows.record_verification(cooperative, admin, VERIFIED_NOTE, now)
        coops[demo.slug] = cooperative
        created["cooperatives"] += 1
    db.session.flush()


def _checked_profile(demo: DemoCooperative) -> dict:
    """The cooperative's papers as the application form stores them (ValidationFailed if bad)."""
    return clean_profile(seed_rows.profile(demo), required=REQUIRED_AT_APPLICATION)


def _seed_stands(
    demo_cooperatives: list[DemoCooperative],
    coops: dict[str, Cooperative],
    fairs: dict[int, Fair],
    created: Counter,
) -> None:
    fair_ids = [fair.id for fair in fairs.values()]
    stands = db.session.scalars(select(Stand).where(Stand.fair_id.in_(fair_ids))).all()
    # A cooperative has one stand per fair, and a code one cooperative: never take a used one.
    taken = {(s.fair_id, s.cooperative_id) for s in stands} | {(s.fair_id, s.code) for s in stands}
    for demo in demo_cooperatives:
        cooperative = coops[demo.slug]
        for edition, code in demo.fair_stands:
            keys = {(fairs[edition].id, cooperative.id), (fairs[edition].id, code)}
            if keys & taken:
                continue
            db.session.add(Stand(fair=fairs[edition], cooperative=cooperative, code=code))
            taken |= keys
            created["stands"] += 1
    db.session.flush()


def _seed_products(
    products: list[DemoProduct],
    coops: dict[str, Cooperative],
    categories: dict[str, Category],
    images: bool,
    created: Counter,
) -> None:
    existing = _existing(Product, Product.slug, [p.slug for p in products])
    missing_views = []
    for demo in products:
        product = existing.get(demo.slug)
        if product is None:
            product = seed_rows.product(demo, coops[demo.cooperative_slug], categories)
            db.session.add(product)
            created["products"] += 1
        if images:
            shown = len(product.photos) if product.id is not None else 0
            views = range(shown, seed_rows.photo_count(demo))
            missing_views += [(product, demo, view) for view in views]
    db.session.flush()
    for product, view, picture in seed_rows.photos(missing_views):
        # The upload pipeline: checked, re-encoded; view 0 is the main photo.
        if view == 0:
            store_product_image_bytes(product, picture)
            created["images"] += 1
        else:
            add_product_photo_bytes(product, picture)
            created["photos"] += 1


def _seed_pictures(
    demo_cooperatives: list[DemoCooperative],
    coops: dict[str, Cooperative],
    images: bool,
    created: Counter,
) -> None:
    """A cover and a logo, drawn in the colours of its first speciality, for each cooperative
    without them (through the upload pipeline, like a member's upload)."""
    if not images:
        return
    for demo in demo_cooperatives:
        cooperative = coops[demo.slug]
        speciality, seed = demo.specialities[0], seed_rows.picture_seed(demo)
        if cooperative.cover_path is None:
            store_picture_bytes(cooperative, "cover", render_cover(speciality, seed))
            created["pictures"] += 1
        if cooperative.logo_path is None:
            store_picture_bytes(cooperative, "logo", render_logo(speciality, seed))
            created["pictures"] += 1


def _seed_applications(
    applications: list[DemoApplication], password_hash: Callable[[], str], created: Counter
) -> None:
    slugs = [application.cooperative.slug for application in applications]
    existing = _existing(Cooperative, Cooperative.slug, slugs)
    missing = [a for a in applications if a.cooperative.slug not in existing]
    applicants = _Accounts([a.applicant_email for a in missing], password_hash, created)
    now = utcnow()
    for application in missing:
        applicant = applicants.get(application.applicant_name, application.applicant_email)
        cooperative = seed_rows.cooperative(
            application.cooperative, _checked_profile(application.cooperative)
        )
        cooperative.status = CooperativeStatus.PENDING
        cooperative.created_at = now - timedelta(days=application.submitted_days_ago)
        seed_rows.add_owner(cooperative, applicant)
        created["applications"] += 1
    db.session.flush()


def _seed_documents(demos: list[DemoCooperative], created: Counter) -> None:
    """An ONSSA authorisation, filed by its owner, for each cooperative with an ONSSA
    number and none on file: a verified cooperative puts food on sale only with it
    (app.catalog.validation), and the admin's checklist looks for it."""
    wanted = [demo for demo in demos if demo.onssa_number]
    coops = _existing(Cooperative, Cooperative.slug, [demo.slug for demo in wanted])
    filed = set(
        db.session.scalars(
            select(CooperativeDocument.cooperative_id).where(
                CooperativeDocument.kind == DocumentKind.ONSSA_AUTHORISATION,
                CooperativeDocument.cooperative_id.in_([c.id for c in coops.values()]),
            )
        )
    )
    memberships = db.session.scalars(
        select(Membership).where(
            Membership.role == MemberRole.OWNER,
            Membership.cooperative_id.in_([c.id for c in coops.values()]),
        )
    )
    owners = {membership.cooperative_id: membership.user for membership in memberships}
    for demo in wanted:
        cooperative = coops[demo.slug]
        if cooperative.id in filed:
            continue
        file_document(
            cooperative,
            owners[cooperative.id],
            DocumentKind.ONSSA_AUTHORISATION,
            "autorisation-onssa.pdf",
            seed_rows.onssa_authorisation_pdf(demo),
        )
        created["documents"] += 1


# The report ------------------------------------------------------------------------------


def _accounts(
    demo_cooperatives: list[DemoCooperative], applications: list[DemoApplication]
) -> list[DemoAccount]:
    accounts = [
        DemoAccount("admin", DEMO_ADMIN.name, DEMO_ADMIN.email),
        DemoAccount("shopper", DEMO_SHOPPER.name, DEMO_SHOPPER.email),
    ]
    accounts += [
        DemoAccount("owner", c.owner_name, c.owner_email, cooperative=c.name.fr)
        for c in demo_cooperatives
    ]
    accounts += [
        DemoAccount(
            "applicant",
            a.applicant_name,
            a.applicant_email,
            cooperative=a.cooperative.name.fr,
            note=a.note,
        )
        for a in applications
    ]
    return accounts


def _count(statement) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def _totals(
    demo_cooperatives: list[DemoCooperative],
    applications: list[DemoApplication],
    products: list[DemoProduct],
    open_fair: Fair,
) -> dict[str, int]:
    coop_slugs = [c.slug for c in demo_cooperatives]
    product_slugs = [p.slug for p in products]
    emails = [DEMO_ADMIN.email, DEMO_SHOPPER.email, *(p.email for p in HISTORY_SHOPPERS)]
    emails += [c.owner_email for c in demo_cooperatives]
    emails += [a.applicant_email for a in applications]
    verified = select(Cooperative.id).where(
        Cooperative.slug.in_(coop_slugs), Cooperative.status == CooperativeStatus.VERIFIED
    )
    demo_products = select(Product.id).where(Product.slug.in_(product_slugs))
    fair_ids = select(Fair.id).where(Fair.slug.in_([f.slug for f in FAIRS]))
    return {
        "accounts": _count(select(User.id).where(User.email.in_(emails))),
        "categories": _count(
            select(Category.id).where(Category.slug.in_([c.slug for c in CATEGORIES]))
        ),
        "fairs": _count(select(Fair.id).where(Fair.slug.in_([f.slug for f in FAIRS]))),
        "cooperatives": _count(verified),
        "stands": _count(select(Stand.id).where(Stand.fair_id.in_(fair_ids))),
        "exhibitors": _count(
            select(Stand.id).where(
                Stand.fair_id == open_fair.id, Stand.cooperative_id.in_(verified)
            )
        ),
        "products": _count(demo_products),
        "images": _count(demo_products.where(Product.image_path.is_not(None))),
        "photos": _count(select(ProductPhoto.id).where(ProductPhoto.product_id.in_(demo_products))),
        "applications": _count(
            select(Cooperative.id).where(
                Cooperative.slug.in_([a.cooperative.slug for a in applications]),
                Cooperative.status == CooperativeStatus.PENDING,
            )
        ),
        "fee_rules": _count(select(FeeRule.id)),
    }
