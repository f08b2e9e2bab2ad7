"""The fair-trade fee engine: which rule applies to a line, and how it splits the line.

Pure functions over plain values (DESIGN.md section 5): no Flask, no database.
Amounts are int centimes of MAD, rates int basis points (800 = 8 %).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from app.core.ids import MAX_ID
from app.core.money import BPS_WHOLE, apply_bps, ceil_bps, round_half_up, to_decimal_string
from app.core.translation import N_

#: Rule scopes in the order they win (DESIGN.md section 5): a fair's stand rule first, so
#: the fair's promise holds for every legal form, then the most specific scope.
SCOPES = ("fair", "cooperative", "category", "legal_form", "default")
LEGAL_FORMS = ("cooperative", "association", "mutual", "social_enterprise")

BPS_OUT_OF_RANGE = N_("must be between 0 and 10000 basis points (0 % to 100 %)")
SOLIDARITY_OVER_COMMISSION = N_("must not exceed the commission")
NOT_A_WHOLE_NUMBER = N_("must be a whole number")
NEGATIVE_AMOUNT = N_("must not be negative")
CAP_BELOW_MINIMUM = N_("must be empty (no cap) or at least the minimum fee")
DATE_REQUIRED = N_("is required")
DATE_WITHOUT_TIME_ZONE = N_("must include a time zone")
END_NOT_AFTER_START = N_("must be after the start")
# The codes are what a client sends, so they stay as they are in every language.
UNKNOWN_SCOPE = N_("must be one of: cooperative, category, legal_form, fair, default")
SCOPE_VALUE_REQUIRED = N_("is required for this scope")
SCOPE_VALUE_FOR_DEFAULT = N_("must be empty for the default scope")
UNKNOWN_LEGAL_FORM = N_("must be one of: cooperative, association, mutual, social_enterprise")
NOT_AN_ID = N_("must be a positive whole number (an id)")
TOO_LARGE = N_("is too large")

#: Largest fee floor or cap per line, centimes (10 million MAD): under what the column holds.
MAX_FEE_CENTS = 10**9
#: Priorities run from -MAX_PRIORITY to MAX_PRIORITY.
MAX_PRIORITY = 1_000_000

_ID = re.compile(r"[1-9][0-9]{0,9}")
_ALWAYS = datetime.min.replace(tzinfo=UTC)


class NoRuleInForce(LookupError):
    """No fee rule matches the line at that moment (the default rule is missing or expired)."""


class RuleTerms(Protocol):
    """What the engine reads from a fee rule: the FeeRule model and ``Terms`` both provide it.

    Members are read-only properties so that frozen dataclasses and mapped
    columns both satisfy the protocol.
    """

    @property
    def id(self) -> int | None: ...
    @property
    def name(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def scope_value(self) -> str | None: ...
    @property
    def commission_bps(self) -> int: ...
    @property
    def solidarity_bps(self) -> int: ...
    @property
    def min_fee_cents(self) -> int: ...
    @property
    def max_fee_cents(self) -> int | None:
        """None means no cap."""

    @property
    def producer_floor_bps(self) -> int: ...
    @property
    def priority(self) -> int:
        """Higher wins between rules of the same specificity."""

    @property
    def valid_from(self) -> datetime: ...
    @property
    def valid_to(self) -> datetime | None:
        """Exclusive end; None means open-ended."""


@dataclass(frozen=True, kw_only=True)
class Terms:
    """Fee rule terms held in memory (tests, previews); raises ``ValueError`` when invalid."""

    commission_bps: int
    solidarity_bps: int = 0
    min_fee_cents: int = 0
    max_fee_cents: int | None = None
    producer_floor_bps: int = 0
    scope: str = "default"
    scope_value: str | None = None
    priority: int = 0
    valid_from: datetime = _ALWAYS
    valid_to: datetime | None = None
    id: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        errors = validate_terms(
            self.commission_bps,
            self.solidarity_bps,
            self.min_fee_cents,
            self.max_fee_cents,
            self.producer_floor_bps,
            self.valid_from,
            self.valid_to,
            self.scope,
            self.scope_value,
        )
        if errors:
            raise ValueError(f"invalid fee rule terms: {errors}")


@dataclass(frozen=True)
class FeeBreakdown:
    """Where the centimes of one order line go; the three parts sum to the line total."""

    producer_cents: int
    platform_cents: int
    solidarity_cents: int
    rule_id: int | None

    @property
    def fee_cents(self) -> int:
        return self.platform_cents + self.solidarity_cents

    @property
    def total_cents(self) -> int:
        return self.producer_cents + self.platform_cents + self.solidarity_cents


def quote(line_total_cents: int, rule: RuleTerms) -> FeeBreakdown:
    """Split a line total (unit price x quantity, centimes) between producer, platform and fund.

    Follows DESIGN.md section 5 step by step, rounding half-up. A commission of
    0 means "no commission": the fee is 0 even when the rule has a minimum fee,
    so a fair's 0 % stand rule leaves the whole line to the producer.
    Guarantees: the parts sum to ``line_total_cents``, none is negative, and the
    producer gets at least ``ceil(line_total * producer_floor_bps / 10000)``.
    Raises ``ValueError`` for a negative total or a rule whose rates are invalid.
    """
    if line_total_cents < 0:
        raise ValueError("line_total_cents must not be negative")
    rate_errors = _rate_errors(
        rule.commission_bps,
        rule.solidarity_bps,
        rule.min_fee_cents,
        rule.max_fee_cents,
        rule.producer_floor_bps,
    )
    if rate_errors:
        raise ValueError(f"fee rule {rule.id} is invalid: {rate_errors}")

    fee = 0
    solidarity = 0
    if rule.commission_bps:
        fee = max(apply_bps(line_total_cents, rule.commission_bps), rule.min_fee_cents)
        if rule.max_fee_cents is not None:
            fee = min(fee, rule.max_fee_cents)
        fee = min(fee, line_total_cents - ceil_bps(line_total_cents, rule.producer_floor_bps))
        solidarity = round_half_up(fee * rule.solidarity_bps, rule.commission_bps)
    return FeeBreakdown(
        producer_cents=line_total_cents - fee,
        platform_cents=fee - solidarity,
        solidarity_cents=solidarity,
        rule_id=rule.id,
    )


@dataclass(frozen=True)
class LineContext:
    """What rule selection needs to know about one order line."""

    cooperative_id: int
    legal_form: str
    #: The product's category then its ancestors, nearest first.
    category_ids: tuple[int, ...]
    #: Set only when the part is collected at this fair's stand while the fair is open.
    stand_fair_id: int | None = None


def select_rule(rules: Iterable[RuleTerms], context: LineContext, at: datetime) -> RuleTerms:
    """Return the rule that applies to a line at instant ``at`` (tz-aware).

    Among rules in force (``valid_from <= at < valid_to``) that match the line,
    the scope that comes first in ``SCOPES`` wins (fair > cooperative > category >
    legal_form > default: a sale collected at a fair's stand while the fair is open
    always takes the fair's rule; a nearer category beats an ancestor), then the
    higher priority, then the later ``valid_from``, then the higher id. Naive rule
    datetimes are read as UTC, since SQLite drops time zones. Raises NoRuleInForce
    when none applies.
    """
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    ranked = []
    for rule in rules:
        nearness = _match(rule, context)
        if nearness is None or not _in_force(rule, at):
            continue
        id_rank = -1 if rule.id is None else rule.id
        specificity = len(SCOPES) - SCOPES.index(rule.scope)
        ranked.append(
            ((specificity, nearness, rule.priority, _as_utc(rule.valid_from), id_rank), rule)
        )
    if not ranked:
        raise NoRuleInForce(f"no fee rule in force at {at.isoformat()} for {context}")
    return max(ranked, key=lambda pair: pair[0])[1]


def _match(rule: RuleTerms, context: LineContext) -> int | None:
    """None when the rule does not match; else a rank, higher for a nearer category."""
    value = (rule.scope_value or "").strip()
    if rule.scope == "default":
        return 0
    if rule.scope == "cooperative":
        return 0 if value == str(context.cooperative_id) else None
    if rule.scope == "category":
        categories = [str(category_id) for category_id in context.category_ids]
        return -categories.index(value) if value in categories else None
    if rule.scope == "legal_form":
        return 0 if value == context.legal_form else None
    if rule.scope == "fair" and context.stand_fair_id is not None:
        return 0 if value == str(context.stand_fair_id) else None
    return None


def _in_force(rule: RuleTerms, at: datetime) -> bool:
    if _as_utc(rule.valid_from) > at:
        return False
    return rule.valid_to is None or at < _as_utc(rule.valid_to)


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def validate_terms(
    commission_bps: int,
    solidarity_bps: int,
    min_fee_cents: int,
    max_fee_cents: int | None,
    producer_floor_bps: int,
    valid_from: datetime | None,
    valid_to: datetime | None,
    scope: str,
    scope_value: str | None,
) -> dict[str, list[str]]:
    """Check fee rule terms; return field name -> messages, empty when the terms are valid."""
    errors = _rate_errors(
        commission_bps, solidarity_bps, min_fee_cents, max_fee_cents, producer_floor_bps
    )

    def add(field_name: str, message: str) -> None:
        errors.setdefault(field_name, []).append(message)

    if not isinstance(valid_from, datetime):
        add("valid_from", DATE_REQUIRED)
    elif valid_from.tzinfo is None:
        add("valid_from", DATE_WITHOUT_TIME_ZONE)
    if valid_to is not None:
        if valid_to.tzinfo is None:
            add("valid_to", DATE_WITHOUT_TIME_ZONE)
        elif isinstance(valid_from, datetime) and valid_from.tzinfo and valid_to <= valid_from:
            add("valid_to", END_NOT_AFTER_START)

    value = (scope_value or "").strip()
    if scope not in SCOPES:
        add("scope", UNKNOWN_SCOPE)
    elif scope == "default":
        if value:
            add("scope_value", SCOPE_VALUE_FOR_DEFAULT)
    elif not value:
        add("scope_value", SCOPE_VALUE_REQUIRED)
    elif scope == "legal_form" and value not in LEGAL_FORMS:
        add("scope_value", UNKNOWN_LEGAL_FORM)
    elif scope != "legal_form" and not (_ID.fullmatch(value) and int(value) <= MAX_ID):
        add("scope_value", NOT_AN_ID)
    return errors


def _rate_errors(
    commission_bps: int,
    solidarity_bps: int,
    min_fee_cents: int,
    max_fee_cents: int | None,
    producer_floor_bps: int,
) -> dict[str, list[str]]:
    """The checks ``quote`` relies on for its guarantees."""
    errors: dict[str, list[str]] = {}
    numbers = {
        "commission_bps": commission_bps,
        "solidarity_bps": solidarity_bps,
        "producer_floor_bps": producer_floor_bps,
        "min_fee_cents": min_fee_cents,
    }
    if max_fee_cents is not None:
        numbers["max_fee_cents"] = max_fee_cents
    for name, number in numbers.items():
        if not isinstance(number, int) or isinstance(number, bool):
            errors[name] = [NOT_A_WHOLE_NUMBER]
        elif name.endswith("_bps") and not 0 <= number <= BPS_WHOLE:
            errors[name] = [BPS_OUT_OF_RANGE]
        elif number < 0:
            errors[name] = [NEGATIVE_AMOUNT]
        elif number > MAX_FEE_CENTS:
            errors[name] = [TOO_LARGE]
    rates_are_numbers = not errors.keys() & {"commission_bps", "solidarity_bps"}
    if rates_are_numbers and solidarity_bps > commission_bps:
        errors["solidarity_bps"] = [SOLIDARITY_OVER_COMMISSION]
    fees_are_numbers = not errors.keys() & {"min_fee_cents", "max_fee_cents"}
    if fees_are_numbers and max_fee_cents is not None and max_fee_cents < min_fee_cents:
        errors["max_fee_cents"] = [CAP_BELOW_MINIMUM]
    return errors


def _percent(bps: int) -> str:
    return percent_text(bps) + " %"


def percent_text(bps: int) -> str:
    """Basis points as the percent an admin would type: ``800`` -> ``"8"``, ``150`` -> ``"1.5"``."""
    return to_decimal_string(bps).rstrip("0").rstrip(".")


_PERCENT = re.compile(r"([0-9]{1,5})(?:[.,]([0-9]{1,2}))?")
PERCENT_GARBAGE = N_("Enter a percentage such as 8 or 1.5 (at most 2 decimals).")


def parse_percent(text: str) -> int:
    """Read a percentage typed by an admin (``"8"``, ``"1.5"``, ``"8,25 %"``) as basis points.

    Exact, with no float: ``"1.5"`` is 150 bps. At most two decimals; a
    trailing ``%`` is allowed. Range checks are ``validate_terms``'s job.
    Raises ``ValueError(PERCENT_GARBAGE)`` for anything else, negatives included.
    """
    cleaned = text.strip().removesuffix("%").strip() if isinstance(text, str) else ""
    match = _PERCENT.fullmatch(cleaned)
    if match is None:
        raise ValueError(PERCENT_GARBAGE)
    whole, fraction = match.group(1), match.group(2) or ""
    return int(whole) * 100 + int(fraction.ljust(2, "0"))


def explain(rule: RuleTerms) -> dict[str, str | int | None]:
    """State a rule in plain numbers for the fair-trade page: percents as text, fees in centimes."""
    return {
        "commission": _percent(rule.commission_bps),
        "solidarity": _percent(rule.solidarity_bps),
        "producer_floor": _percent(rule.producer_floor_bps),
        "min_fee_cents": rule.min_fee_cents,
        "max_fee_cents": rule.max_fee_cents,
    }
