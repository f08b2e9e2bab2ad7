"""Browser journeys: Debian's Chromium driven by Playwright against the app served for real.

The site runs in a thread (werkzeug) on 127.0.0.1 with a database of its own, a SQLite
file built by the migrations and loaded with a small demo (four cooperatives), so every
request commits as in production. One product, the exhibitor's olive oil, has two photos
(the rest none, to keep the build quick), so that pages show a gallery and cards a photo.
Tests ask for `committing_db`: the suite's rolled-back
session must not stand in for the served app's. Screenshots go to
test-artifacts/screenshots/. Without Chromium the tests skip, except in CI
(REQUIRE_SERVICES), where they fail.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from flask import Flask
from sqlalchemy import select
from support.services import require_service
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db

T = TypeVar("T")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
#: A phone held upright.
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every journey needs the browser and takes a while (`slow`: started first); under xdist
    (`--dist loadgroup`) they all run in one worker, so the site and Chromium start once."""
    for item in items:
        if "tests/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.xdist_group("browser"))


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    password: str


@dataclass(frozen=True)
class Site:
    url: str
    app: Flask
    admin: Person
    shopper: Person
    #: Owners of the cooperative with a stand at the open fair, and of another one.
    exhibitor_owner: Person
    exhibitor_id: int
    other_owner: Person
    other_id: int
    #: A product of each (in stock), and the public page of the exhibitor.
    exhibitor_product_id: int
    other_product_id: int
    exhibitor_slug: str
    #: The exhibitor's olive oil, with two photos (the only product that has any): what a
    #: search for olive oil finds, in any language.
    pictured_product_id: int
    #: Cooperatives waiting for verification, one per journey.
    applicant_ids: tuple[int, ...]
    #: Verified cooperatives paid by bank transfer, one per journey: each run pays one.
    payee_ids: tuple[int, ...]

    def earn(self, cooperative_id: int, cents: int = 45_000) -> None:
        """Make `cents` payable to the cooperative, as a card sale delivered long ago would."""
        with self.app.app_context():
            _earn(cooperative_id, cents)

    def path(self, endpoint: str, **values) -> str:
        with self.app.test_request_context():
            from flask import url_for

            return url_for(endpoint, **values)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require_service("browser", False, "Playwright (pip install -r requirements-dev.txt)")
    require_service(
        "browser", CHROMIUM.exists(), f"Chromium at {CHROMIUM} (apt-get install chromium)"
    )
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def site(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("e2e")
    # Delivered parts are payable at once, so the admin's run has something to pay.
    with served_site(root, _build_marketplace, PAYOUT_HOLD_DAYS=0) as (url, app, people):
        yield Site(url=url, app=app, **people)


@contextmanager
def served_site(root: Path, build: Callable[[], T], **settings) -> Iterator[tuple[str, Flask, T]]:
    """An app on a SQLite file of its own under `root`, filled by `build` (in its context),
    served in a thread on 127.0.0.1: yields (url, app, what `build` returned)."""
    from celery import _state as celery_state

    # create_app makes its Celery the process's default; the rest of the suite keeps its own,
    # and the served app's requests get theirs (see _OwnCelery).
    suite_celery = celery_state.default_app
    app = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'site.sqlite3'}",
            "MEDIA_ROOT": str(root / "media"),
            "STRIPE_SECRET_KEY": None,
            "STRIPE_PUBLISHABLE_KEY": None,
            **settings,
        },
    )
    Path(app.config["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
    with app.app_context():
        built = build()
    if suite_celery is not None:
        suite_celery.set_default()
    server = make_server("127.0.0.1", 0, _OwnCelery(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app, built
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(root, ignore_errors=True)


class _OwnCelery:
    """Each request of the served app runs its tasks (eagerly) with that app's Celery, which
    runs them in that app's context, on its own database.

    The body is read whole (and its file closed) before werkzeug's development server sends
    it: when the browser hangs up mid-answer (it drops a favicon it no longer needs), that
    server skips closing the answer, and the open static file's ResourceWarning would fail
    whichever test the garbage collector happened to run in.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        self.app.extensions["celery"].set_current()
        answer = self.app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            if hasattr(answer, "close"):
                answer.close()


def _build_marketplace() -> dict:
    from flask_migrate import upgrade

    from app.accounts.models import User
    from app.catalog.models import Product
    from app.cooperatives.models import Cooperative, CooperativeStatus, Membership
    from app.demo.fair_data import DEMO_PASSWORD
    from app.demo.seed import seed_demo
    from app.fair.models import Stand

    upgrade()
    report = seed_demo(cooperatives=4, images=False, log=lambda line: None)

    def person(email: str) -> Person:
        user = db.session.scalar(select(User).where(User.email == email))
        return Person(user.name, user.email, DEMO_PASSWORD)

    def owner_of(cooperative: Cooperative) -> Person:
        membership = db.session.scalars(
            select(Membership)
            .where(Membership.cooperative_id == cooperative.id)
            .order_by(Membership.id)
        ).first()
        return person(membership.user.email)

    verified = db.session.scalars(
        select(Cooperative)
        .where(Cooperative.status == CooperativeStatus.VERIFIED)
        .order_by(Cooperative.id)
    ).all()
    at_fair = {stand.cooperative_id for stand in db.session.scalars(select(Stand))}
    exhibitor = next(c for c in verified if c.id in at_fair)
    other = next(c for c in verified if c.id != exhibitor.id and c.payout_method == "bank_transfer")
    applicants = db.session.scalars(
        select(Cooperative.id)
        .where(Cooperative.status == CooperativeStatus.PENDING)
        .order_by(Cooperative.id)
    ).all()
    payees = [c.id for c in verified if c.payout_method == "bank_transfer" and c.id != other.id]

    pictured = db.session.scalars(
        select(Product)
        .where(Product.cooperative_id == exhibitor.id, Product.status == "active")
        .where(Product.stock > 4, Product.name.startswith("Huile d'olive"))
        .order_by(Product.id)
    ).first()
    _add_photos(pictured, views=2)

    def product_of(cooperative: Cooperative) -> int:
        return db.session.scalars(
            select(Product.id)
            .where(Product.cooperative_id == cooperative.id)
            .where(Product.status == "active", Product.stock > 4)
            .order_by(Product.id)
        ).first()

    return {
        "admin": person(report.accounts_with_role("admin")[0].email),
        "shopper": person(report.accounts_with_role("shopper")[0].email),
        "exhibitor_owner": owner_of(exhibitor),
        "exhibitor_id": exhibitor.id,
        "other_owner": owner_of(other),
        "other_id": other.id,
        "exhibitor_product_id": product_of(exhibitor),
        "other_product_id": product_of(other),
        "exhibitor_slug": exhibitor.slug,
        "pictured_product_id": pictured.id,
        "applicant_ids": tuple(applicants),
        "payee_ids": tuple(payees),
    }


def _add_photos(product, views: int) -> None:
    """Photos drawn for `product` (app/demo/product_images.py), stored through the catalog's
    upload pipeline (checked, re-encoded, thumbnails), as a member's upload would be."""
    from app.catalog.operations import add_product_photo_bytes
    from app.demo.product_images import render_product_image

    for view in range(views):
        add_product_photo_bytes(
            product, render_product_image(product.category.slug, product.id, view=view)
        )
    db.session.commit()


def _earn(cooperative_id: int, cents: int) -> None:
    from app.ledger import codes
    from app.ledger.operations import Entry, post

    post(
        "card_payment",
        f"e2e:{uuid.uuid4().hex}",
        [
            Entry(codes.cooperative_available(cooperative_id), cents),
            Entry(codes.CLEARING_STRIPE, -cents),
        ],
    )
    db.session.commit()


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
