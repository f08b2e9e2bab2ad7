"""The two halves of a checkout that ``services.place_order`` runs: plan, then write.

``plan_checkout`` reads the cart (prices from the database), checks every
field the shopper gave and quotes each line's fee split; it writes nothing.
It raises ``ValidationFailed`` (422) naming every bad field at once, then
``ProductsNotForSale`` (409) or ``OutOfStock`` (409) naming the products.
``write_order`` carries a plan out (stock, order, parts, lines) and only
flushes: ``place_order`` owns the commit and the rollback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.cart.errors import OutOfStock
from app.cart.queries import CartContents, CartGroup, CartLine
from app.catalog.operations import take_stock
from app.cooperatives.validation import normalize_phone, validate_email_address
from app.core.errors import ValidationFailed
from app.core.names import check_name
from app.extensions import db
from app.fair.models import Stand
from app.fees.engine import FeeBreakdown
from app.fees.services import category_parents, quote_line, rules_in_force
from app.orders.codes import new_order_number, new_pickup_code
from app.orders.errors import ProductsNotForSale
from app.orders.models import (
    PICKUP_METHODS,
    CooperativeOrder,
    DeliveryMethod,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PartEvent,
    PartStatus,
    PaymentMethod,
)

POSTAL_CODE = re.compile(r"^\d{5}$")
NAME_MAX = 120
LINE1_MAX = 200
CITY_MAX = 80
#: Tries at drawing an order number nobody has; 31**6 numbers make a second try rare already.
NUMBER_ATTEMPTS = 10
#: Longest idempotency key a client may send (a UUID is 36 characters).
IDEMPOTENCY_KEY_MAX = 64


@dataclass(frozen=True)
class Address:
    """Who receives the order, and where (the street part is needed for home delivery only)."""

    name: str
    line1: str = ""
    city: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class CheckoutRequest:
    """What the shopper chose at checkout, as the page or the API received it (unchecked)."""

    payment_method: str
    #: Cooperative id (as text) -> one of the delivery options its group offers.
    delivery: Mapping[str, str]
    address: Address
    phone: str
    #: One per checkout attempt: the same key again gives back the order it made.
    idempotency_key: str
    #: Guests only: where the order's secret link is also e-mailed (optional).
    email: str = ""


@dataclass(frozen=True)
class PlannedLine:
    line: CartLine
    split: FeeBreakdown


@dataclass(frozen=True)
class QuotedPart:
    group: CartGroup
    delivery_method: str

    @property
    def shipping_cents(self) -> int:
        return self.group.shipping_cents_for(self.delivery_method)

    @property
    def subtotal_cents(self) -> int:
        return self.group.subtotal_cents


@dataclass(frozen=True)
class PlannedPart(QuotedPart):
    #: The stand the shopper collects at (stand pickup only).
    stand: Stand | None
    lines: list[PlannedLine]


@dataclass(frozen=True)
class CheckoutPlan:
    payment_method: str
    address: Address
    #: +212XXXXXXXXX.
    phone: str
    parts: list[PlannedPart]
    #: Guests only: the e-mail address given, normalised, or "".
    email: str = ""

    @property
    def subtotal_cents(self) -> int:
        return sum(part.subtotal_cents for part in self.parts)

    @property
    def shipping_cents(self) -> int:
        return sum(part.shipping_cents for part in self.parts)


def card_payments_enabled() -> bool:
    """Cards are taken only when the Stripe keys are configured."""
    config = current_app.config
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_PUBLISHABLE_KEY"))


def check_idempotency_key(key: str | None) -> str:
    """The key, stripped; ``ValidationFailed`` unless it has 1 to 64 characters."""
    key = (key or "").strip() if isinstance(key, str) else ""
    if not key or len(key) > IDEMPOTENCY_KEY_MAX:
        message = _("Send a checkout key of 1 to %(count)d characters.", count=IDEMPOTENCY_KEY_MAX)
        raise ValidationFailed(message, fields={"idempotency_key": [message]})
    return key


def plan_checkout(
    contents: CartContents, request: CheckoutRequest, at: datetime, *, guest: bool = False
) -> CheckoutPlan:
    """Check a checkout of ``contents`` and quote its lines at instant ``at``; write nothing.

    A ``guest`` (no account) pays cash on delivery or at the stand, and gives a name, a
    phone and a city (the street is optional: the cooperative calls before shipping), and
    maybe an e-mail address.

    Raises ``ValidationFailed`` (422, every bad field
    named: ``payment_method``, ``delivery.<id>``, ``address.<field>``,
    ``phone``, ``cart``), then ``ProductsNotForSale`` (409), then ``OutOfStock``
    (409) naming the products, then the fee engine's ``NoFeeRuleInForce`` (409).
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not contents.groups and not contents.unavailable:
        add("cart", _("Your cart is empty."))

    payment_method, address, phone = request.payment_method, request.address, request.phone
    chosen = _chosen_delivery(contents, request.delivery, add)
    _check_payment(payment_method, chosen, add)
    if guest and payment_method == PaymentMethod.CARD:
        add("payment_method", _("Without an account, pay cash on delivery or at the stand."))

    needs_street = any(method == DeliveryMethod.HOME_DELIVERY for method in chosen.values())
    cleaned_address = _clean_address(address, needs_street, add, guest=guest)
    cleaned_email = ""
    if guest and (request.email or "").strip():
        try:
            cleaned_email = validate_email_address(request.email)
        except ValueError as error:
            add("email", str(error))
    try:
        cleaned_phone = normalize_phone(phone or "")
    except ValueError as error:
        add("phone", str(error))
        cleaned_phone = ""

    if errors:
        raise ValidationFailed(_("Some checkout details need your attention."), fields=errors)
    _check_for_sale(contents)

    rules = rules_in_force(at)
    parents = category_parents()
    parts = []
    for group in contents.groups:
        method = chosen[group.cooperative.id]
        stand = group.stand if method == DeliveryMethod.STAND_PICKUP else None
        stand_fair_id = stand.fair_id if stand is not None else None
        lines = [
            PlannedLine(
                line,
                quote_line(
                    line.product, line.total_cents, stand_fair_id, at, rules, parents=parents
                ),
            )
            for line in group.lines
        ]
        parts.append(PlannedPart(group, method, stand, lines))
    return CheckoutPlan(payment_method, cleaned_address, cleaned_phone, parts, cleaned_email)


@dataclass(frozen=True)
class CheckoutQuote:
    """What a checkout with these choices would charge now, centimes (``POST /checkout/quote``)."""

    parts: list[QuotedPart]

    @property
    def subtotal_cents(self) -> int:
        return sum(part.subtotal_cents for part in self.parts)

    @property
    def shipping_cents(self) -> int:
        return sum(part.shipping_cents for part in self.parts)

    @property
    def total_cents(self) -> int:
        return self.subtotal_cents + self.shipping_cents


def quote_checkout(
    contents: CartContents, delivery: Mapping[str, str], payment_method: str | None = None
) -> CheckoutQuote:
    """The total a checkout of ``contents`` with these delivery choices would charge; writes
    nothing. The same rules as ``plan_checkout`` for what it checks: ``ValidationFailed``
    (422) for a missing or unoffered delivery (or a payment method that does not fit it,
    when one is given), then ``ProductsNotForSale`` or ``OutOfStock`` (409). Contact and
    address are not asked: the total does not depend on them.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not contents.groups and not contents.unavailable:
        add("cart", _("Your cart is empty."))
    chosen = _chosen_delivery(contents, delivery, add)
    if payment_method:
        _check_payment(payment_method, chosen, add)
    if errors:
        raise ValidationFailed(_("Some checkout details need your attention."), fields=errors)
    _check_for_sale(contents)
    return CheckoutQuote(
        [QuotedPart(group, chosen[group.cooperative.id]) for group in contents.groups]
    )


def _chosen_delivery(contents: CartContents, delivery: Mapping[str, str], add) -> dict[int, str]:
    """Cooperative id -> the delivery chosen for its group; a missing or unoffered one is
    ``add``ed as a ``delivery.<id>`` error (and left out)."""
    choices = {str(key): value for key, value in delivery.items()}
    chosen: dict[int, str] = {}
    for group in contents.groups:
        cooperative_id = group.cooperative.id
        choice = choices.get(str(cooperative_id))
        if not choice:
            add(
                f"delivery.{cooperative_id}",
                _("Choose how to receive the products of %(name)s.", name=group.cooperative.name),
            )
        elif choice not in group.delivery_options:
            add(
                f"delivery.{cooperative_id}",
                _("%(name)s does not offer this delivery now.", name=group.cooperative.name),
            )
        else:
            chosen[cooperative_id] = choice
    return chosen


def _check_payment(payment_method: str, chosen: Mapping[int, str], add) -> None:
    if payment_method not in set(PaymentMethod):
        add("payment_method", _("Choose card, cash on delivery or pay at the stand."))
    elif payment_method == PaymentMethod.CARD and not card_payments_enabled():
        add("payment_method", _("Card payment is not available yet: pay cash or at the stand."))
    elif payment_method == PaymentMethod.PAY_AT_STAND and any(
        method != DeliveryMethod.STAND_PICKUP for method in chosen.values()
    ):
        add(
            "payment_method",
            _("Pay at the stand only when every cooperative's part is picked up at its stand."),
        )


def _check_for_sale(contents: CartContents) -> None:
    """``ProductsNotForSale`` (409) for lines no longer on sale, then ``OutOfStock`` (409)."""
    if contents.unavailable:
        names = [line.name or f"#{line.product_id}" for line in contents.unavailable]
        raise ProductsNotForSale(
            _("No longer for sale: %(names)s. Remove them from your cart.", names=", ".join(names)),
            fields={
                "products": names,
                "product_ids": [str(line.product_id) for line in contents.unavailable],
            },
        )
    short = [line for group in contents.groups for line in group.lines if line.short_of_stock]
    if short:
        raise out_of_stock([line.product for line in short])


def pay_at_stand_offered(groups: Sequence[CartGroup]) -> bool:
    """Paying at the stand is offered when every cooperative in the cart can hand its part
    over at its stand (an open fair); ``plan_checkout`` then requires every part picked up
    there."""
    return bool(groups) and all(DeliveryMethod.STAND_PICKUP in g.delivery_options for g in groups)


def out_of_stock(products) -> OutOfStock:
    """The 409 that names every product short of stock (``fields.products``: names)."""
    names = [product.name for product in products]
    return OutOfStock(
        _("Not enough stock left for: %(names)s.", names=", ".join(names)),
        fields={"products": names, "product_ids": [str(product.id) for product in products]},
    )


def _clean_address(address: Address, needs_street: bool, add, *, guest: bool) -> Address:
    name = (address.name or "").strip()
    line1 = (address.line1 or "").strip()
    city = (address.city or "").strip()
    postal_code = re.sub(r"\s", "", address.postal_code or "")
    required = _("This field is required for home delivery.")
    if not name:
        add("address.name", _("This field is required."))
    elif len(name) > NAME_MAX:
        add("address.name", _("At most %(count)d characters.", count=NAME_MAX))
    else:
        try:
            check_name(name)
        except ValueError as error:
            add("address.name", str(error))
    for field, value, longest in (("line1", line1, LINE1_MAX), ("city", city, CITY_MAX)):
        if guest and field == "city" and not value:
            add("address.city", _("This field is required."))
        elif needs_street and not value and not (guest and field == "line1"):
            add(f"address.{field}", required)
        elif len(value) > longest:
            add(f"address.{field}", _("At most %(count)d characters.", count=longest))
    if postal_code and not POSTAL_CODE.match(postal_code):
        add("address.postal_code", _("A Moroccan postal code has 5 digits, e.g. 23000."))
    return Address(name, line1, city, postal_code)


# Writing the order (flush only) ------------------------------------------------


def write_order(
    shopper: User | None,
    plan: CheckoutPlan,
    key: str,
    now: datetime,
    *,
    guest_token_hash: str | None = None,
    locale: str | None = None,
) -> Order:
    """Write the order ``plan`` describes and take its stock; flush only (the caller commits).

    A guest's order (``shopper`` None) carries the hash of its secret link's token.

    The order row is flushed first, so a replayed idempotency key fails on its
    unique constraint (``IntegrityError``) before any stock is touched. Raises
    ``OutOfStock`` naming every product short of stock; the caller rolls back.
    """
    is_card = plan.payment_method == PaymentMethod.CARD
    status = OrderStatus.PENDING_PAYMENT if is_card else OrderStatus.PLACED
    timeout = timedelta(minutes=current_app.config["CARD_ORDER_TIMEOUT_MINUTES"])
    order = Order(
        number=_unused_order_number(),
        shopper_id=shopper.id if shopper is not None else None,
        guest_token_hash=guest_token_hash,
        guest_email=plan.email or None,
        locale=locale,
        status=status,
        payment_method=plan.payment_method,
        idempotency_key=key,
        subtotal_cents=plan.subtotal_cents,
        shipping_cents=plan.shipping_cents,
        total_cents=plan.subtotal_cents + plan.shipping_cents,
        contact_name=plan.address.name,
        contact_phone=plan.phone,
        address_line1=plan.address.line1,
        address_city=plan.address.city,
        address_postal_code=plan.address.postal_code,
        placed_at=now,
        expires_at=now + timeout if is_card else None,
    )
    actor_id = shopper.id if shopper is not None else None
    order.events.append(OrderEvent(to_status=status, actor_id=actor_id, at=now))
    db.session.add(order)
    # The idempotency key's unique constraint speaks here, before any stock is touched.
    db.session.flush()

    _take_stock_or_fail(plan)
    for planned in plan.parts:
        part = CooperativeOrder(
            cooperative_id=planned.group.cooperative.id,
            status=PartStatus.PENDING,
            delivery_method=planned.delivery_method,
            shipping_cents=planned.shipping_cents,
            subtotal_cents=planned.subtotal_cents,
            stand_id=planned.stand.id if planned.stand is not None else None,
            fair_id=planned.stand.fair_id if planned.stand is not None else None,
            pickup_code=new_pickup_code() if planned.delivery_method in PICKUP_METHODS else None,
        )
        part.events.append(PartEvent(to_status=PartStatus.PENDING, actor_id=actor_id, at=now))
        for item in planned.lines:
            product = item.line.product
            part.lines.append(
                OrderLine(
                    product_id=product.id,
                    name=product.name,
                    unit=product.unit_canonical,
                    unit_code=product.unit_code,
                    unit_quantity=product.unit_quantity,
                    unit_price_cents=item.line.unit_price_cents,
                    quantity=item.line.quantity,
                    total_cents=item.line.total_cents,
                    producer_cents=item.split.producer_cents,
                    platform_cents=item.split.platform_cents,
                    solidarity_cents=item.split.solidarity_cents,
                    fee_rule_id=item.split.rule_id,
                )
            )
        order.parts.append(part)
    db.session.flush()
    return order


def _take_stock_or_fail(plan: CheckoutPlan) -> None:
    """Take every line's units, in product id order so two checkouts never deadlock.

    Tries them all, to name every product short of stock; raises ``OutOfStock``
    if any is (the caller rolls back what was taken).
    """
    lines = sorted(
        (item.line for part in plan.parts for item in part.lines),
        key=lambda line: line.product.id,
    )
    short = [line.product for line in lines if not take_stock(line.product.id, line.quantity)]
    if short:
        raise out_of_stock(short)


def _unused_order_number() -> str:
    for _attempt in range(NUMBER_ATTEMPTS):
        number = new_order_number()
        if db.session.scalar(select(Order.id).where(Order.number == number)) is None:
            return number
    raise RuntimeError("could not draw an unused order number")  # 1 in 10**80 with 10 tries
