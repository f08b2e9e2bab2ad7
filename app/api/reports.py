"""Reports in the JSON API (admins only): sales grouped by province, category or cooperative."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint

from app.api.common import BaseSchema, MoneySchema, money
from app.api.cooperatives import AUTH_RESPONSES, SIGNED_IN, admin_only
from app.core.days import Day
from app.core.language import current_language
from app.fair.queries import morocco_today
from app.reports.period import MAX_DAYS, SalesFilter, period_of
from app.reports.sales import SalesRow, sales_report

blp = Blueprint("api_reports", __name__, description="Reports and exports (admins).")

#: The groupings API.md offers.
API_GROUPINGS = ("province", "category", "cooperative")


class SalesArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    group_by = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(API_GROUPINGS),
        metadata={"description": "province (key: code), category (slug), cooperative (slug)"},
    )
    from_ = Day(
        data_key="from",
        load_default=None,
        metadata={"description": "first day, Morocco's date; default: 29 days before `to`"},
    )
    to = Day(load_default=None, metadata={"description": "last day, included; default: today"})


class SalesRowSchema(BaseSchema):
    key = ma.fields.String(
        required=True,
        metadata={
            "description": "province code, category slug or cooperative slug; also `delivery` "
            "(delivery fees, by category) and `other_refunds` (refunds no single group carries)"
        },
    )
    orders = ma.fields.Integer(
        required=True, metadata={"description": "orders with a part sold in the period"}
    )
    gross = ma.fields.Nested(
        MoneySchema,
        required=True,
        metadata={"description": "paid by shoppers (lines and delivery), net of refunds"},
    )
    producer = ma.fields.Nested(
        MoneySchema, required=True, metadata={"description": "the cooperatives' share"}
    )
    platform = ma.fields.Nested(MoneySchema, required=True, metadata={"description": "fees"})
    solidarity = ma.fields.Nested(
        MoneySchema, required=True, metadata={"description": "the solidarity fund's share"}
    )


class SalesReportSchema(BaseSchema):
    group_by = ma.fields.String(required=True)
    from_ = ma.fields.Date(data_key="from", required=True)
    to = ma.fields.Date(required=True)
    rows = ma.fields.List(ma.fields.Nested(SalesRowSchema), required=True)
    total = ma.fields.Nested(
        SalesRowSchema, required=True, metadata={"description": "the rows added up (key `total`)"}
    )


def _row(row: SalesRow) -> dict[str, Any]:
    amounts = row.amounts
    return {
        "key": row.key,
        "orders": row.orders,
        "gross": money(amounts.gross_cents),
        "producer": money(amounts.producer_cents),
        "platform": money(amounts.platform_cents),
        "solidarity": money(amounts.solidarity_cents),
    }


@blp.route("/admin/reports/sales", methods=["GET"])
@admin_only
@blp.arguments(SalesArgsSchema, location="query")
@blp.response(200, SalesReportSchema)
@blp.doc(
    security=SIGNED_IN,
    responses={
        **AUTH_RESPONSES,
        "422": {
            "description": f"Unknown `group_by`, a bad date, `from` after `to`, "
            f"or more than {MAX_DAYS} days."
        },
    },
)
def get_sales(args: dict[str, Any]) -> dict[str, Any]:
    """Sales of the period grouped by province, category or cooperative.

    A part counts when its money is received (card payment captured, or cash
    recorded by the cooperative), a refund on the day it is made; `gross` is
    what shoppers paid (lines and delivery), `producer + platform + solidarity
    == gross` on every row, and the platform and solidarity totals equal what
    the ledger posted to the platform's revenue and the fund in the period.
    """
    period = period_of(args["from_"], args["to"], morocco_today())
    report = sales_report(args["group_by"], period, SalesFilter(), current_language())
    return {
        "group_by": report.group_by,
        "from_": period.from_,
        "to": period.to,
        "rows": [_row(row) for row in report.rows],
        "total": _row(report.total),
    }
