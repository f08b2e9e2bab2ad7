"""Fee rules as data (DESIGN.md section 5): admins add and end them, the engine reads them.

A rule in use is never edited in place: a change ends one rule (``valid_to``)
and adds another from that date, and no rule is ever deleted, so every order
line's ``fee_rule_id`` keeps pointing at the terms it was quoted with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import TranslatedMixin, utcnow
from app.extensions import db


class FeeRule(TranslatedMixin, db.Model):
    """One set of fee terms for a scope over a period; satisfies ``app.fees.engine.RuleTerms``."""

    __tablename__ = "fee_rules"
    __table_args__ = (
        CheckConstraint(
            "scope IN ('default', 'legal_form', 'category', 'cooperative', 'fair')",
            name="scope_known",
        ),
        CheckConstraint("commission_bps BETWEEN 0 AND 10000", name="commission_in_range"),
        CheckConstraint("solidarity_bps BETWEEN 0 AND commission_bps", name="solidarity_in_range"),
        CheckConstraint("producer_floor_bps BETWEEN 0 AND 10000", name="floor_in_range"),
        CheckConstraint("min_fee_cents >= 0", name="min_fee_not_negative"),
        CheckConstraint(
            "max_fee_cents IS NULL OR max_fee_cents >= min_fee_cents", name="cap_not_below_min"
        ),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="ends_after_start"),
        Index("ix_fee_rules_scope_value", "scope", "scope_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What admins and the fair-trade page call the rule, e.g. "Associations pay half";
    #: ``translated("name", language)`` gives it in the reader's language.
    name: Mapped[str] = mapped_column(String(120))
    #: The name in other languages: {"ar": {"name": ...}, "fr": {"name": ...}}.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: One of engine.SCOPES: default, legal_form, category, cooperative, fair.
    scope: Mapped[str] = mapped_column(String(20))
    #: What the scope points at: a legal form, or a category/cooperative/fair id as text;
    #: None for the default scope.
    scope_value: Mapped[str | None] = mapped_column(String(40))
    #: Commission on the line total, basis points (800 = 8 %).
    commission_bps: Mapped[int]
    #: The part of the commission given to the solidarity fund, basis points of the line.
    solidarity_bps: Mapped[int] = mapped_column(default=0)
    #: Smallest fee per line, centimes (not charged when the commission is 0).
    min_fee_cents: Mapped[int] = mapped_column(default=0)
    #: Largest fee per line, centimes; None means no cap.
    max_fee_cents: Mapped[int | None]
    #: Fair-share floor: the producer keeps at least this share of the line, basis points.
    producer_floor_bps: Mapped[int] = mapped_column(default=0)
    #: First instant the rule applies, UTC.
    valid_from: Mapped[datetime]
    #: Exclusive end, UTC; None means open-ended.
    valid_to: Mapped[datetime | None]
    #: Higher wins between rules of the same scope.
    priority: Mapped[int] = mapped_column(default=0)
    #: The admin who added the rule; None for rules installed by the CLI or the demo seeder.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The admin who ended the rule and when they did, None while it was never ended.
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None]

    def status_at(self, at: datetime) -> str:
        """``"future"``, ``"in_force"`` or ``"ended"`` at instant ``at`` (tz-aware)."""
        if at < self.valid_from:
            return "future"
        if self.valid_to is not None and at >= self.valid_to:
            return "ended"
        return "in_force"

    def __repr__(self) -> str:
        return f"<FeeRule {self.id} {self.scope}={self.scope_value} {self.commission_bps}bps>"
