"""A cooperative's money in the JSON API (its members only): balance and ledger statement."""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint

from app.api.common import BaseSchema, MoneySchema, money
from app.api.cooperatives import AUTH_RESPONSES, SIGNED_IN, signed_in, signed_in_user
from app.cooperatives.permissions import member_cooperative_or_404
from app.core.days import Day
from app.core.errors import ValidationFailed
from app.fair.queries import morocco_today
from app.ledger.queries import cooperative_balance, statement
from app.payouts.queries import next_payout_cents

blp = Blueprint(
    "api_cooperative_money", __name__, description="A cooperative's balance and statement."
)


class BalanceSchema(BaseSchema):
    pending = ma.fields.Nested(
        MoneySchema, required=True, metadata={"description": "earned, within the hold period"}
    )
    available = ma.fields.Nested(
        MoneySchema,
        required=True,
        metadata={"description": "payable; negative when the cooperative owes fees on cash"},
    )
    next_payout = ma.fields.Nested(
        MoneySchema,
        allow_none=True,
        required=True,
        metadata={"description": "its oldest payout proposed, approved or being paid; else null"},
    )


class StatementArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    from_ = Day(
        data_key="from",
        load_default=None,
        metadata={"description": "first day, Morocco's date; default: the 1st of `to`'s month"},
    )
    to = Day(load_default=None, metadata={"description": "last day, included; default: today"})


class StatementLineSchema(BaseSchema):
    date = ma.fields.AwareDateTime(required=True, metadata={"description": "when it happened"})
    kind = ma.fields.String(required=True, metadata={"example": "card_payment"})
    memo = ma.fields.String(required=True)
    account = ma.fields.String(required=True, metadata={"enum": ["pending", "available"]})
    amount = ma.fields.Nested(MoneySchema, required=True)
    balance = ma.fields.Nested(
        MoneySchema, required=True, metadata={"description": "pending + available after it"}
    )


class StatementSchema(BaseSchema):
    from_ = ma.fields.Date(data_key="from", required=True)
    to = ma.fields.Date(required=True)
    opening_balance = ma.fields.Nested(MoneySchema, required=True)
    lines = ma.fields.List(ma.fields.Nested(StatementLineSchema), required=True)
    closing_balance = ma.fields.Nested(MoneySchema, required=True)


@blp.route("/cooperatives/<id:cooperative_id>/balance", methods=["GET"])
@signed_in
@blp.response(200, BalanceSchema)
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def get_balance(cooperative_id: int) -> dict[str, Any]:
    """What the cooperative is owed: pending (held) and available (payable).

    `next_payout` is its oldest payout not paid yet (proposed, approved or
    being executed), else null: a payable balance shows there once a payout
    run (every morning, or an admin's) has proposed it.
    """
    cooperative = member_cooperative_or_404(signed_in_user(), cooperative_id)
    pending, available = cooperative_balance(cooperative.id)
    return {
        "pending": money(pending),
        "available": money(available),
        "next_payout": money(next_payout_cents(cooperative.id)),
    }


@blp.route("/cooperatives/<id:cooperative_id>/statement", methods=["GET"])
@signed_in
@blp.arguments(StatementArgsSchema, location="query")
@blp.response(200, StatementSchema)
@blp.doc(
    security=SIGNED_IN,
    responses={**AUTH_RESPONSES, "422": {"description": "`from` is after `to`."}},
)
def get_statement(args: dict[str, Any], cooperative_id: int) -> dict[str, Any]:
    """Ledger lines of both accounts between two days (Morocco's dates), with running balance."""
    cooperative = member_cooperative_or_404(signed_in_user(), cooperative_id)
    to: date = args["to"] or morocco_today()
    from_: date = args["from_"] or to.replace(day=1)
    if from_ > to:
        message = "must not be after `to`"
        raise ValidationFailed(_("The period is not valid."), fields={"from": [message]})
    found = statement(cooperative.id, from_, to)
    return {
        "from_": found.from_,
        "to": found.to,
        "opening_balance": money(found.opening_balance_cents),
        "lines": [
            {
                "date": line.occurred_at,
                "kind": line.kind,
                "memo": line.memo,
                "account": line.account,
                "amount": money(line.amount_cents),
                "balance": money(line.balance_cents),
            }
            for line in found.lines
        ],
        "closing_balance": money(found.closing_balance_cents),
    }
