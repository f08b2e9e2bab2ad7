"""Reading a cart: lines grouped by cooperative, priced from the database, with delivery options.

Nothing here writes. Prices, names and stock always come from the catalog at
the moment of reading; the cart itself holds only product ids and quantities.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from app.cart.carts import Cart
from app.catalog.models import Product
from app.catalog.queries import visible_clause
from app.cooperatives.models import Cooperative
from app.extensions import db
from app.fair.models import Stand
from app.fair.queries import open_fair

HOME_DELIVERY = "home_delivery"
COOP_PICKUP = "coop_pickup"
STAND_PICKUP = "stand_pickup"
#: Every delivery method, in the order a shopper is offered them.
DELIVERY_METHODS = (HOME_DELIVERY, COOP_PICKUP, STAND_PICKUP)


def products_for_sale(product_ids: Iterable[int]) -> list[Product]:
    """Those of ``product_ids`` a shopper can buy now, with their cooperative, by id.

    On sale means the catalog's ``visible_clause``: active, not hidden by
    moderation, of a verified cooperative.
    """
    ids = sorted(set(product_ids))
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Product)
            .join(Product.cooperative)
            .options(contains_eager(Product.cooperative))
            .where(Product.id.in_(ids), visible_clause())
            .order_by(Product.id)
        )
    )


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int

    @property
    def unit_price_cents(self) -> int:
        return self.product.price_cents

    @property
    def total_cents(self) -> int:
        return self.product.price_cents * self.quantity

    @property
    def short_of_stock(self) -> bool:
        """More units wanted than are left: checkout would refuse this line."""
        return self.quantity > self.product.stock


@dataclass(frozen=True)
class CartGroup:
    """The lines of one cooperative, and how the shopper may receive them."""

    cooperative: Cooperative
    lines: list[CartLine]
    #: Among DELIVERY_METHODS, those the cooperative offers today.
    delivery_options: list[str]
    #: The cooperative's stand at a fair open today, when it has one.
    stand: Stand | None

    @property
    def subtotal_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    @property
    def shipping_fee_cents(self) -> int:
        """What home delivery would add to this group, centimes."""
        return self.cooperative.shipping_fee_cents

    def shipping_cents_for(self, delivery_method: str) -> int:
        return self.cooperative.shipping_fee_cents if delivery_method == HOME_DELIVERY else 0


@dataclass(frozen=True)
class UnavailableLine:
    """A line whose product is no longer on sale; shown so the shopper can remove it."""

    product_id: int
    name: str | None
    quantity: int


@dataclass(frozen=True)
class CartContents:
    groups: list[CartGroup]
    unavailable: list[UnavailableLine] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        """Every group's subtotal, centimes; shipping depends on the delivery chosen."""
        return sum(group.subtotal_cents for group in self.groups)

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.unavailable

    @property
    def item_count(self) -> int:
        return sum(line.quantity for group in self.groups for line in group.lines)

    def group_for(self, cooperative_id: int) -> CartGroup | None:
        return next((g for g in self.groups if g.cooperative.id == cooperative_id), None)


def delivery_options(cooperative: Cooperative, stand: Stand | None) -> list[str]:
    """What the cooperative offers: home delivery and pickup as it chose, its stand while open."""
    options = []
    if cooperative.offers_home_delivery:
        options.append(HOME_DELIVERY)
    if cooperative.offers_pickup:
        options.append(COOP_PICKUP)
    if stand is not None:
        options.append(STAND_PICKUP)
    return options


def stands_open_today(cooperative_ids: Iterable[int]) -> dict[int, Stand]:
    """Cooperative id -> its stand at the fair open today (Morocco's date), for those with one."""
    ids = sorted(set(cooperative_ids))
    fair = open_fair() if ids else None
    if fair is None:
        return {}
    stands = db.session.scalars(
        select(Stand)
        .options(joinedload(Stand.fair))
        .where(Stand.fair_id == fair.id, Stand.cooperative_id.in_(ids))
    )
    return {stand.cooperative_id: stand for stand in stands}


def cart_contents(cart: Cart) -> CartContents:
    """The cart's lines grouped by cooperative (by name), each priced from the database now."""
    quantities = cart.quantities()
    products = {product.id: product for product in products_for_sale(quantities)}
    by_cooperative: dict[int, list[CartLine]] = {}
    unavailable = []
    for product_id, quantity in quantities.items():
        product = products.get(product_id)
        if product is None:
            gone = db.session.get(Product, product_id)
            unavailable.append(
                UnavailableLine(product_id, gone.name if gone is not None else None, quantity)
            )
            continue
        by_cooperative.setdefault(product.cooperative_id, []).append(CartLine(product, quantity))
    stands = stands_open_today(by_cooperative.keys())
    groups = []
    for cooperative_id, lines in by_cooperative.items():
        cooperative = lines[0].product.cooperative
        stand = stands.get(cooperative_id)
        groups.append(
            CartGroup(
                cooperative=cooperative,
                lines=lines,
                delivery_options=delivery_options(cooperative, stand),
                stand=stand,
            )
        )
    groups.sort(key=lambda group: (group.cooperative.name.casefold(), group.cooperative.id))
    return CartContents(groups=groups, unavailable=unavailable)
