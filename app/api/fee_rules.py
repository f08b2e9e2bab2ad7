"""Fee rules in the JSON API (admins only): list, add, and end a rule.

Rules are never edited in place and never deleted: a change is an end on one
rule and a new rule from the same instant.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint

from app.api.common import PageArgsSchema, page_body, page_schema
from app.api.cooperatives import AUTH_RESPONSES, SIGNED_IN, admin_only, admin_user
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.paging import page_of
from app.extensions import db
from app.fees import services
from app.fees.models import FeeRule
from app.fees.queries import rules_statement
from app.fees.schemas import (
    FeeRuleCreateSchema,
    FeeRuleEndSchema,
    FeeRuleListArgsSchema,
    FeeRuleSchema,
)

blp = Blueprint("api_fee_rules", __name__, description="Fair-trade fee rules (admins).")


class FeeRuleQueryArgsSchema(PageArgsSchema, FeeRuleListArgsSchema):
    pass


FeeRulePageSchema = page_schema(FeeRuleSchema, "FeeRulePageSchema")


_COLUMNS = [name for name in FeeRuleSchema._declared_fields if name != "status"]


def rule_body(rule: FeeRule) -> dict[str, Any]:
    """The rule as API.md shows it, with its `status` now (in_force, future or ended)."""
    return {**{name: getattr(rule, name) for name in _COLUMNS}, "status": rule.status_at(utcnow())}


@blp.route("/admin/fee-rules", methods=["GET"])
@admin_only
@blp.arguments(FeeRuleQueryArgsSchema, location="query")
@blp.response(200, FeeRulePageSchema)
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def list_fee_rules(args: dict[str, Any]):
    """Every rule, the latest start first; `status` keeps those in_force, future or ended now."""
    rows, total = page_of(rules_statement(args["status"]), args["page"], args["per_page"])
    return page_body([rule_body(rule) for rule in rows], args["page"], args["per_page"], total)


@blp.route("/admin/fee-rules", methods=["POST"])
@admin_only
@blp.arguments(FeeRuleCreateSchema)
@blp.response(201, FeeRuleSchema)
@blp.doc(
    security=SIGNED_IN,
    responses={
        **AUTH_RESPONSES,
        "422": {
            "description": "Invalid terms (solidarity above the commission, a floor above "
            "10000 bps, dates out of order, an unknown target) or an overlapping rule."
        },
    },
)
def add_fee_rule(body: dict[str, Any]):
    """Add a rule from a moment (default now)."""
    return rule_body(services.add_rule(admin_user(), body))


@blp.route("/admin/fee-rules/<id:rule_id>/end", methods=["POST"])
@admin_only
@blp.arguments(FeeRuleEndSchema)
@blp.response(200, FeeRuleSchema)
@blp.doc(
    security=SIGNED_IN,
    responses={
        **AUTH_RESPONSES,
        "404": {"description": "No such rule."},
        "409": {"description": "The rule already ends on or before valid_to."},
        "422": {"description": "valid_to is not after the start, or is in the past."},
    },
)
def end_fee_rule(body: dict[str, Any], rule_id: int):
    """End a rule at `valid_to` (exclusive); its terms never change."""
    admin = admin_user()
    rule = db.session.get(FeeRule, rule_id)
    if rule is None:
        raise NotFound(_("No such fee rule."))
    return rule_body(services.end_rule(rule, admin, body["valid_to"]))
