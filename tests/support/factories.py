"""factory_boy factories bound to the test session, and small fixtures built on them."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from itertools import count

import factory
import pytest
from flask.testing import FlaskClient

from app.accounts.models import Role, User
from app.accounts.passwords import hash_password
from app.catalog.models import Category, Product, ProductLabel, ProductStatus
from app.cooperatives.models import Cooperative, CooperativeStatus, MemberRole, Membership
from app.core.db import utcnow
from app.extensions import db
from app.fair.models import Fair, Stand
from app.orders.checkout import Address

PASSWORD = "correct-horse-battery"
_serial = count(1)


@cache
def _password_hash() -> str:
    """PASSWORD hashed once, with the parameters the app under test was built with."""
    return hash_password(PASSWORD)


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password_hash = factory.LazyFunction(lambda: _password_hash())
    role = Role.SHOPPER
    #: Established accounts have proved their address; pass email_verified_at=None for a
    #: new one that has not.
    email_verified_at = factory.LazyFunction(utcnow)


class AdminFactory(UserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@example.com")
    role = Role.ADMIN


def valid_rib(seed: int) -> str:
    first22 = f"011810{seed:016d}"
    key = 97 - (int(first22) * 100) % 97
    return f"{first22}{key:02d}"


class CooperativeFactory(BaseFactory):
    class Meta:
        model = Cooperative

    slug = factory.Sequence(lambda n: f"cooperative-{n}")
    name = factory.Sequence(lambda n: f"Coopérative Tighza {n}")
    legal_form = "cooperative"
    registration_number = factory.Sequence(lambda n: f"RC-{1000 + n}")
    ice = None
    province = "azilal"
    commune = "Azilal"
    phone = "+212612345678"
    email = factory.Sequence(lambda n: f"coop{n}@coops.example")
    description = "Huile d'olive et miel de la montagne."
    status = CooperativeStatus.VERIFIED
    payout_method = "bank_transfer"
    rib = factory.Sequence(valid_rib)
    shipping_fee_cents = 3000


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    cooperative = factory.SubFactory(CooperativeFactory)
    user = factory.SubFactory(UserFactory)
    role = MemberRole.OWNER


class CategoryFactory(BaseFactory):
    class Meta:
        model = Category

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")


class ProductFactory(BaseFactory):
    class Meta:
        model = Product

    cooperative = factory.SubFactory(CooperativeFactory)
    category = factory.SubFactory(CategoryFactory)
    slug = factory.Sequence(lambda n: f"product-{n}")
    name = factory.Sequence(lambda n: f"Huile d'olive {n}")
    description = "Extra vierge, Picholine marocaine."
    price_cents = 12000
    stock = 10
    unit = "bottle 1 L"
    origin_commune = "Azilal"
    origin_province = "azilal"
    status = ProductStatus.ACTIVE


class ProductLabelFactory(BaseFactory):
    class Meta:
        model = ProductLabel

    product = factory.SubFactory(ProductFactory)
    kind = "IGP"
    certificate_number = "IGP-2010-07"


class FairFactory(BaseFactory):
    class Meta:
        model = Fair

    slug = factory.Sequence(lambda n: f"fair-{n}")
    name = "Salon régional de l'économie sociale et solidaire"
    edition = 3
    city = "Khenifra"
    venue = "Place Al Massira Al Khadra"
    province = "khenifra"
    area_m2 = 5000
    starts_on = factory.LazyFunction(lambda: date.today() - timedelta(days=2))
    ends_on = factory.LazyFunction(lambda: date.today() + timedelta(days=5))


class StandFactory(BaseFactory):
    class Meta:
        model = Stand

    fair = factory.SubFactory(FairFactory)
    cooperative = factory.SubFactory(CooperativeFactory)
    code = factory.Sequence(lambda n: f"A-{n:02d}")


def login_as(client: FlaskClient, user: User) -> FlaskClient:
    """Log `user` into `client`'s cookie session, as the login page would (with the session
    generation the account has now: a request may have ended its sessions since)."""
    fresh = db.session.get(type(user), user.id, populate_existing=True) or user
    with client.session_transaction() as session:
        session["_user_id"] = fresh.get_id()
        session["_fresh"] = True
    return client


def csrf_from(client: FlaskClient, url: str) -> str:
    """The CSRF token of the form on the page at `url`, as a browser would submit it."""
    import re

    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token in the form at {url}"
    return match.group(1)


def fill_cart_by_api(client: FlaskClient, headers: dict, lines: dict) -> None:
    """Put {product: quantity} in the cart of the token's owner through the API."""
    for product, quantity in lines.items():
        response = client.put(
            f"/api/v1/cart/items/{product.id}", json={"quantity": quantity}, headers=headers
        )
        assert response.status_code == 200, response.get_json()


def add_to_cart(client: FlaskClient, product, quantity: int = 1, token: str | None = None):
    """Press the product page's "add to cart" button, with the page's CSRF token."""
    token = token or csrf_from(client, f"/products/{product.id}")
    return client.post(
        "/cart/add",
        data={"product_id": product.id, "quantity": quantity, "csrf_token": token},
    )


@pytest.fixture
def shopper() -> User:
    return UserFactory()


@pytest.fixture
def admin() -> User:
    return AdminFactory()


@pytest.fixture
def cooperative() -> Cooperative:
    return CooperativeFactory()


@pytest.fixture
def owner(cooperative: Cooperative) -> User:
    """The owner of `cooperative`."""
    return MembershipFactory(cooperative=cooperative).user


@pytest.fixture
def api_token():
    """`api_token(user)` gives a bearer token header for `user`."""

    def make(user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(user)}"}

    return make


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    """Every test starts with no failed logins counted (limits are per address, and the
    test client always calls from 127.0.0.1)."""
    from app.extensions import limiter

    limiter.reset()
    yield


from app.cart.models import CartItem  # noqa: E402  (appended with the cart)


class CartItemFactory(BaseFactory):
    """A line of a logged-in shopper's cart."""

    class Meta:
        model = CartItem

    user_id = factory.LazyFunction(lambda: UserFactory().id)
    product = factory.SubFactory(ProductFactory)
    quantity = 1


@pytest.fixture
def fee_rules():
    """The default fee rules (8 % with 1 % to the solidarity fund, min 1.00 MAD...)."""
    from app.fees.services import install_default_rules

    return install_default_rules()


#: A shopper's home address in Beni Mellal, for checkouts.
HOME = Address(
    name="Fatima Zahra", line1="12, rue Al Qods, Hay Salam", city="Beni Mellal", postal_code="23000"
)


def issue_token(user: User) -> str:
    """A bearer token for ``user``, committed (as ``POST /auth/token`` gives one)."""
    from app.accounts.operations import add_token

    token = add_token(user)
    db.session.commit()
    return token


def file_papers(cooperative, *, food: bool = False):
    """Everything the admin's verification checklist asks for, on file (rows only)."""
    from app.cooperatives.models import CooperativeDocument
    from app.extensions import db as _db

    cooperative.ice = cooperative.ice or "001234567000089"
    cooperative.rib = valid_rib(4242)
    cooperative.payout_method = "bank_transfer"
    kinds = ["statutes", "registration_certificate", "rib_certificate"]
    if food:
        kinds.append("onssa_authorisation")
        cooperative.onssa_number = cooperative.onssa_number or "ONSSA-2026-0001"
    for kind in kinds:
        _db.session.add(
            CooperativeDocument(
                cooperative_id=cooperative.id,
                kind=kind,
                filename=f"{kind}.pdf",
                stored_path=f"{cooperative.id}/{kind}.pdf",
                content_type="application/pdf",
                size_bytes=100,
            )
        )
    _db.session.flush()
    return cooperative
