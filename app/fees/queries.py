"""Reading fee rules for people: all rules by period, and the names of what each rule targets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, or_, select

from app.catalog.models import Category
from app.cooperatives.models import Cooperative
from app.core.db import utcnow
from app.extensions import db
from app.fair.models import Fair
from app.fees.engine import SCOPES
from app.fees.models import FeeRule

STATUSES = ("in_force", "future", "ended")


def rules_statement(status: str | None = None, at: datetime | None = None) -> Select:
    """Rules, optionally only those ``in_force``, ``future`` or ``ended`` at ``at`` (default now).

    Ordered by start, latest first, then id.
    """
    at = at or utcnow()
    statement = select(FeeRule).order_by(FeeRule.valid_from.desc(), FeeRule.id.desc())
    if status == "in_force":
        statement = statement.where(
            FeeRule.valid_from <= at, or_(FeeRule.valid_to.is_(None), FeeRule.valid_to > at)
        )
    elif status == "future":
        statement = statement.where(FeeRule.valid_from > at)
    elif status == "ended":
        statement = statement.where(FeeRule.valid_to <= at)
    return statement


def rules_by_status(at: datetime | None = None) -> dict[str, list[FeeRule]]:
    """Every rule, grouped ``in_force`` / ``future`` / ``ended`` at ``at``, in one query.

    Rules in force come in the order they win (a fair's stand rule first), so they
    read in the order the engine considers them.
    """
    at = at or utcnow()
    grouped: dict[str, list[FeeRule]] = {status: [] for status in STATUSES}
    for rule in db.session.scalars(rules_statement(at=at)):
        grouped[rule.status_at(at)].append(rule)
    grouped["in_force"].sort(key=lambda rule: (SCOPES.index(rule.scope), -rule.priority))
    return grouped


def target_names(rules: Iterable[FeeRule], language: str | None = None) -> dict[int, str]:
    """Rule id -> the name of the category, cooperative or fair it targets (at most 3 queries),
    in ``language`` when the row has a translation into it (else its own name).

    Rules for everyone or for a legal form are left out: their target has no row.
    """
    models = {"category": Category, "cooperative": Cooperative, "fair": Fair}
    wanted: dict[str, set[int]] = {scope: set() for scope in models}
    rules = list(rules)
    for rule in rules:
        if rule.scope in models and rule.scope_value and rule.scope_value.isdigit():
            wanted[rule.scope].add(int(rule.scope_value))
    names: dict[str, dict[int, str]] = {}
    for scope, ids in wanted.items():
        model = models[scope]
        rows = db.session.scalars(select(model).where(model.id.in_(ids))) if ids else []
        names[scope] = {
            row.id: row.translated("name", language) if language else row.name for row in rows
        }
    return {
        rule.id: names[rule.scope].get(int(rule.scope_value), rule.scope_value)
        for rule in rules
        if rule.scope in models and rule.scope_value and rule.scope_value.isdigit()
    }
