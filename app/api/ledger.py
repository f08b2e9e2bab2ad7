"""The ledger in the JSON API (admins only): the trial balance, whose total is always zero."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint

from app.api.common import BaseSchema, MoneySchema, money
from app.api.cooperatives import AUTH_RESPONSES, SIGNED_IN, admin_only
from app.ledger.queries import trial_balance

blp = Blueprint("api_ledger", __name__, description="The double-entry ledger (admins).")


class AccountBalanceSchema(BaseSchema):
    code = ma.fields.String(
        required=True, metadata={"example": "coop:7:pending", "description": "account code"}
    )
    balance = ma.fields.Nested(
        MoneySchema,
        required=True,
        metadata={"description": "sum of the account's entries, credit-positive"},
    )


class TrialBalanceSchema(BaseSchema):
    accounts = ma.fields.List(ma.fields.Nested(AccountBalanceSchema), required=True)
    total = ma.fields.Nested(MoneySchema, required=True, metadata={"description": "always 0"})


@blp.route("/admin/ledger/trial-balance", methods=["GET"])
@admin_only
@blp.response(200, TrialBalanceSchema)
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def get_trial_balance() -> dict[str, Any]:
    """Every account's balance by code, and their total: zero, as every transaction balances."""
    trial = trial_balance()
    return {
        "accounts": [{"code": code, "balance": money(cents)} for code, cents in trial.accounts],
        "total": money(trial.total_cents),
    }
