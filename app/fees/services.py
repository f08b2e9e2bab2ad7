"""Fee rule use cases: quote lines with the rules in force, add and end rules, install defaults.

Reading functions (``rules_in_force``, ``line_context``, ``quote_line``,
``unit_splits``) never write. ``add_rule``, ``end_rule`` and
``install_default_rules`` each commit once. Amounts are int centimes, rates
int basis points; all instants are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import Integer, cast, inspect, literal, null, or_, select, text, union_all

from app.audit.operations import record
from app.catalog.models import Category
from app.cooperatives.models import Cooperative
from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.core.locking import locked
from app.core.names import check_name
from app.extensions import db
from app.fair.models import Fair
from app.fees import defaults, engine
from app.fees.engine import FeeBreakdown, LineContext
from app.fees.errors import NoFeeRuleInForce, RuleAlreadyEnded
from app.fees.models import FeeRule

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.catalog.models import Product

#: A rule may be ended "now" by a client whose clock runs a little behind ours.
END_CLOCK_SKEW = timedelta(minutes=5)

#: The languages a rule's name is written in besides its own ``name``.
NAME_LANGUAGES = ("ar", "fr", "en")

RULE_FIELDS = (
    "name",
    "scope",
    "scope_value",
    "commission_bps",
    "solidarity_bps",
    "min_fee_cents",
    "max_fee_cents",
    "producer_floor_bps",
    "valid_from",
    "valid_to",
    "priority",
    "translations",
)


# Quoting -----------------------------------------------------------------


def rules_in_force(at: datetime | None = None) -> list[FeeRule]:
    """Every rule valid at instant ``at`` (default now), in one query, ordered by id."""
    at = at or utcnow()
    return list(
        db.session.scalars(
            select(FeeRule)
            .where(
                FeeRule.valid_from <= at,
                or_(FeeRule.valid_to.is_(None), FeeRule.valid_to > at),
            )
            .order_by(FeeRule.id)
        )
    )


def category_parents() -> dict[int, int | None]:
    """Every category id mapped to its parent id, in one query (for quoting many lines)."""
    rows = db.session.execute(select(Category.id, Category.parent_id)).tuples()
    return {category_id: parent_id for category_id, parent_id in rows}


def _ancestry(category_id: int, parents: Mapping[int, int | None]) -> tuple[int, ...]:
    chain: list[int] = []
    current: int | None = category_id
    while current is not None and current not in chain:  # a parent loop must not hang a sale
        chain.append(current)
        current = parents.get(current)
    return tuple(chain)


def line_context(
    product: Product,
    stand_fair_id: int | None = None,
    *,
    parents: Mapping[int, int | None] | None = None,
) -> LineContext:
    """What rule selection needs to know about a line of ``product``.

    ``stand_fair_id`` is the fair whose stand the part is collected and paid at,
    only while that fair is open. Categories are the product's then its
    ancestors, nearest first, read from ``parents`` (``category_parents()``)
    when given; otherwise through the session's identity map, so quoting many
    lines of one checkout loads each category at most once.
    """
    if parents is None:
        chain: list[int] = []
        category = product.category
        while category is not None and category.id not in chain:
            chain.append(category.id)
            category = category.parent
        category_ids = tuple(chain)
    else:
        category_ids = _ancestry(product.category_id, parents)
    return LineContext(
        cooperative_id=product.cooperative_id,
        legal_form=product.cooperative.legal_form,
        category_ids=category_ids,
        stand_fair_id=stand_fair_id,
    )


def quote_line(
    product: Product,
    line_total_cents: int,
    stand_fair_id: int | None = None,
    at: datetime | None = None,
    rules: Iterable[FeeRule] | None = None,
    *,
    parents: Mapping[int, int | None] | None = None,
) -> FeeBreakdown:
    """Split a line of ``product`` (unit price x quantity, centimes) by the rule in force at ``at``.

    ``rules`` lets a caller load ``rules_in_force(at)`` once for many lines, and
    ``parents`` (``category_parents()``) likewise. The breakdown carries the
    rule's id, to be written on the order line. Raises ``NoFeeRuleInForce``
    (409) when no rule applies.
    """
    at = at or utcnow()
    if rules is None:
        rules = rules_in_force(at)
    context = line_context(product, stand_fair_id, parents=parents)
    try:
        rule = engine.select_rule(rules, context, at)
    except engine.NoRuleInForce as error:
        raise NoFeeRuleInForce(
            _("No fee rule applies to this product at the moment; an admin must add one.")
        ) from error
    return engine.quote(line_total_cents, rule)


def unit_splits(products: Iterable[Product], at: datetime | None = None) -> dict[int, FeeBreakdown]:
    """The split of one unit of each product at the rules in force now (or at ``at``).

    Keyed by product id; for the product page and the product API. No stand
    context (a stand sale may pay less). At most three queries whatever the
    number of products, none when the display context is cached and the
    products' cooperatives are loaded. A product no rule applies to is left out.
    """
    products = list(products)
    if not products:
        return {}
    legal_forms = _legal_forms(products)
    return unit_splits_of(
        (
            UnitOnSale(
                product.id,
                product.cooperative_id,
                legal_forms[product.cooperative_id],
                product.category_id,
                product.price_cents,
            )
            for product in products
        ),
        at,
    )


@dataclass(frozen=True)
class UnitOnSale:
    """What the split of one unit needs to know of a product (from a row, no ORM object)."""

    product_id: int
    cooperative_id: int
    legal_form: str
    category_id: int
    price_cents: int


def unit_splits_of(
    units: Iterable[UnitOnSale], at: datetime | None = None
) -> dict[int, FeeBreakdown]:
    """``unit_splits`` for plain rows: two queries; a rule is selected once per cooperative,
    legal form and category, and a split computed once per rule and price."""
    at = at or utcnow()
    rules, parents = _display_context(at)
    chosen: dict[tuple[int, str, int], engine.RuleTerms | None] = {}
    quoted: dict[tuple[int | None, int], FeeBreakdown] = {}
    splits: dict[int, FeeBreakdown] = {}
    for unit in units:
        where = (unit.cooperative_id, unit.legal_form, unit.category_id)
        if where not in chosen:
            context = LineContext(
                cooperative_id=unit.cooperative_id,
                legal_form=unit.legal_form,
                category_ids=_ancestry(unit.category_id, parents),
            )
            try:
                chosen[where] = engine.select_rule(rules, context, at)
            except engine.NoRuleInForce:
                chosen[where] = None
        rule = chosen[where]
        if rule is None:
            continue
        price = (rule.id, unit.price_cents)
        if price not in quoted:
            quoted[price] = engine.quote(unit.price_cents, rule)
        splits[unit.product_id] = quoted[price]
    return splits


def _legal_forms(products: list[Product]) -> dict[int, str]:
    """Cooperative id -> legal form, from the cooperatives loaded with the products; one
    query for the others."""
    found: dict[int, str] = {}
    for product in products:
        cooperative = inspect(product).attrs.cooperative.loaded_value
        if isinstance(cooperative, Cooperative):
            found[cooperative.id] = cooperative.legal_form
    missing = {product.cooperative_id for product in products} - set(found)
    if missing:
        rows = db.session.execute(
            select(Cooperative.id, Cooperative.legal_form).where(Cooperative.id.in_(missing))
        ).tuples()
        found.update({cooperative_id: legal_form for cooperative_id, legal_form in rows})
    return found


def _display_context(at: datetime) -> tuple[tuple[engine.Terms, ...], dict[int, int | None]]:
    """The rules a split may use at ``at`` (every rule not ended, as plain terms) and the
    category parents, in one query of plain rows (no ORM objects). Read on every call: the
    catalog caches whole answers instead, and a fee rule's commit retires them
    (app/catalog/cache.py), so no split shows old rules."""
    rules = select(
        literal(0).label("kind"),
        *(getattr(FeeRule, name) for name in _TERMS_COLUMNS),
        cast(null(), Integer).label("parent_id"),
    ).where(or_(FeeRule.valid_to.is_(None), FeeRule.valid_to > at))
    categories = select(
        literal(1),
        Category.id,
        *(null() for _name in _TERMS_COLUMNS[1:]),
        Category.parent_id,
    )
    terms: list[engine.Terms] = []
    parents: dict[int, int | None] = {}
    statement = union_all(rules, categories).order_by(text("kind"), text("id"))
    for row in db.session.execute(statement).mappings():
        if row["kind"] == 1:
            parents[row["id"]] = row["parent_id"]
        else:
            terms.append(engine.Terms(**{name: row[name] for name in _TERMS_COLUMNS}))
    return tuple(terms), parents


#: The columns of a fee rule that its terms hold (``id`` first): its fields but translations.
_TERMS_COLUMNS = ("id", *(field for field in RULE_FIELDS if field != "translations"))


# Changing the rules --------------------------------------------------------


def add_rule(admin: User | None, data: Mapping[str, Any]) -> FeeRule:
    """Add a fee rule from ``data`` (the fields of ``RULE_FIELDS``) and commit.

    Missing optional terms default to 0 (``max_fee_cents``/``valid_to``: None,
    meaning no cap / open-ended); a missing ``valid_from`` means now. Raises
    ``ValidationFailed`` (422, with fields) when the terms are invalid
    (``engine.validate_terms``), the scope value names no existing category,
    cooperative or fair, or another rule of the same scope, value and priority
    overlaps the period. (The overlap check reads before it writes: two admins
    adding clashing rules in the same instant could both pass; selection then
    still picks one deterministically, by start and id.)
    """
    rule = _build_rule(admin, data)
    db.session.add(rule)
    db.session.flush()
    record(admin, "fee_rule.add", "fee_rule", rule.id, {}, _terms_of(rule))
    db.session.commit()
    return rule


def _terms_of(rule: FeeRule) -> dict[str, Any]:
    """The rule's terms as the audit log keeps them."""
    return {field: getattr(rule, field) for field in RULE_FIELDS}


def _build_rule(admin: User | None, data: Mapping[str, Any]) -> FeeRule:
    """A validated, flushed-free FeeRule for ``data``; raises ``ValidationFailed``."""
    unknown = set(data) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fee rule fields: {sorted(unknown)}")
    name = (data.get("name") or "").strip()
    scope = data.get("scope") or ""
    scope_value = (data.get("scope_value") or "").strip() or None
    terms = {
        "commission_bps": data.get("commission_bps"),
        "solidarity_bps": data.get("solidarity_bps") or 0,
        "min_fee_cents": data.get("min_fee_cents") or 0,
        "max_fee_cents": data.get("max_fee_cents"),
        "producer_floor_bps": data.get("producer_floor_bps") or 0,
    }
    valid_from = data.get("valid_from") or utcnow()
    valid_to = data.get("valid_to")
    priority = data.get("priority") or 0

    errors = engine.validate_terms(
        terms["commission_bps"],
        terms["solidarity_bps"],
        terms["min_fee_cents"],
        terms["max_fee_cents"],
        terms["producer_floor_bps"],
        valid_from,
        valid_to,
        scope,
        scope_value,
    )
    errors = {field: [_(message) for message in messages] for field, messages in errors.items()}
    if not name:
        errors["name"] = [_("is required")]
    elif len(name) > 120:
        errors["name"] = [_("must be at most 120 characters")]
    else:
        try:
            check_name(name)
        except ValueError as error:
            errors["name"] = [str(error)]
    if not isinstance(priority, int) or isinstance(priority, bool):
        errors["priority"] = [_("must be a whole number")]
    elif not -engine.MAX_PRIORITY <= priority <= engine.MAX_PRIORITY:
        errors["priority"] = [_(engine.TOO_LARGE)]
    translations = _name_translations(data.get("translations"), errors)
    if "scope_value" not in errors and "scope" not in errors:
        missing = _missing_target(scope, scope_value)
        if missing:
            errors["scope_value"] = [missing]
    if not errors:
        overlapping = _overlapping_rule(scope, scope_value, priority, valid_from, valid_to)
        if overlapping is not None:
            errors["valid_from"] = [
                _(
                    "overlaps rule “%(name)s” (#%(id)s) of the same scope and priority; "
                    "end it first or give this rule another priority",
                    name=overlapping.name,
                    id=overlapping.id,
                )
            ]
    if errors:
        raise ValidationFailed(_("The fee rule is not valid."), fields=errors)
    return FeeRule(
        name=name,
        translations=translations,
        scope=scope,
        scope_value=scope_value,
        valid_from=valid_from,
        valid_to=valid_to,
        priority=priority,
        created_by_id=admin.id if admin is not None else None,
        **terms,
    )


def _name_translations(given: Any, errors: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """``{"ar": {"name": ...}, "fr": {...}}`` kept for the languages with a name; a name
    longer than 120 characters is named in ``errors`` as ``name_<language>``."""
    kept: dict[str, dict[str, str]] = {}
    for language in NAME_LANGUAGES:
        entry = (given or {}).get(language) if isinstance(given, Mapping) else None
        text = entry.get("name") if isinstance(entry, Mapping) else None
        text = text.strip() if isinstance(text, str) else ""
        if len(text) > 120:
            errors[f"name_{language}"] = [_("must be at most 120 characters")]
        elif text:
            kept[language] = {"name": text}
    return kept


def _missing_target(scope: str, scope_value: str | None) -> str | None:
    """A message when an id-valued scope names no existing row, else None."""
    models = {"category": Category, "cooperative": Cooperative, "fair": Fair}
    model = models.get(scope)
    if model is None or scope_value is None:
        return None
    if db.session.get(model, int(scope_value)) is None:
        return _("no %(scope)s has id %(id)s", scope=scope, id=scope_value)
    return None


def _overlapping_rule(
    scope: str,
    scope_value: str | None,
    priority: int,
    valid_from: datetime,
    valid_to: datetime | None,
) -> FeeRule | None:
    """A rule of the same scope, value and priority whose period meets [valid_from, valid_to)."""
    statement = select(FeeRule).where(
        FeeRule.scope == scope,
        FeeRule.scope_value.is_(None)
        if scope_value is None
        else FeeRule.scope_value == scope_value,
        FeeRule.priority == priority,
        or_(FeeRule.valid_to.is_(None), FeeRule.valid_to > valid_from),
    )
    if valid_to is not None:
        statement = statement.where(FeeRule.valid_from < valid_to)
    return db.session.scalars(statement.order_by(FeeRule.id).limit(1)).first()


def end_rule(rule: FeeRule, admin: User | None, valid_to: datetime) -> FeeRule:
    """End ``rule`` at instant ``valid_to`` (exclusive) and commit; its terms never change.

    Raises ``RuleAlreadyEnded`` (409) when the rule already ends on or before
    ``valid_to``, and ``ValidationFailed`` (422) when ``valid_to`` has no time
    zone, is not after the rule's start, or lies in the past (a rule is never
    ended retroactively: what was quoted while it was in force stays explained
    by it; ``END_CLOCK_SKEW`` of slack is allowed).
    """
    if valid_to.tzinfo is None:
        raise ValidationFailed(
            _("The end is not valid."), fields={"valid_to": [_(engine.DATE_WITHOUT_TIME_ZONE)]}
        )
    ending = locked(FeeRule, rule.id)
    if ending.valid_to is not None and ending.valid_to <= valid_to:
        raise RuleAlreadyEnded(
            _(
                "This rule already ends at %(end)s, before the requested end.",
                end=ending.valid_to.isoformat(),
            )
        )
    message = None
    if valid_to <= ending.valid_from:
        message = _(engine.END_NOT_AFTER_START)
    elif valid_to < utcnow() - END_CLOCK_SKEW:
        message = _("must not be in the past")
    if message:
        raise ValidationFailed(_("The end is not valid."), fields={"valid_to": [message]})
    before = {"valid_to": ending.valid_to}
    ending.valid_to = valid_to
    ending.ended_by_id = admin.id if admin is not None else None
    ending.ended_at = utcnow()
    record(admin, "fee_rule.end", "fee_rule", ending.id, before, {"valid_to": valid_to})
    db.session.commit()
    return ending


def install_default_rules(fair: Fair | None = None) -> list[FeeRule]:
    """Install the default rule set of ``defaults`` and commit; return the rules it added.

    Idempotent: a rule is added only when no rule of its scope and value exists
    yet (in force, ended or future), so running it again, or after an admin
    replaced a default, adds nothing. With ``fair``, also adds that fair's
    no-commission stand rule for the fair's days.
    """
    wanted = [
        {**terms, "valid_from": defaults.DEFAULTS_VALID_FROM} for terms in defaults.GENERAL_RULES
    ]
    if fair is not None:
        fair_names = {
            language: fields["name"]
            for language, fields in (fair.translations or {}).items()
            if fields.get("name")
        }
        wanted.append(
            defaults.stand_rule(fair.id, fair.name, fair.starts_on, fair.ends_on, fair_names)
        )
    added = []
    for terms in wanted:
        exists = db.session.scalar(
            select(FeeRule.id)
            .where(
                FeeRule.scope == terms["scope"],
                FeeRule.scope_value.is_(None)
                if terms["scope_value"] is None
                else FeeRule.scope_value == terms["scope_value"],
            )
            .limit(1)
        )
        if exists is None:
            rule = _build_rule(None, terms)
            db.session.add(rule)
            db.session.flush()
            added.append(rule)
    db.session.commit()
    return added
