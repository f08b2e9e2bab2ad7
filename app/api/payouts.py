"""Payouts in the JSON API (API.md): runs, approval, execution and bank batches for admins;
a cooperative's own payouts for its members.

Executing twice pays once: executing a payout already processing or paid
answers 200 with the payout unchanged; a payout not approved yet, or failed,
answers 409 ``illegal_transition``. A bank payout answers ``processing`` with
its ``batch_id``; a Stripe payout answers ``paid``, or ``processing`` while
Stripe cannot be reached (it is retried with the same key), or ``failed``
when Stripe refused it (the money is owed to the cooperative again). The
bank file of a batch is ``GET /admin/payout-batches/{id}.csv`` (see
``app.payouts.bank_file``).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response
from flask_smorest import Blueprint

from app.api.common import (
    BaseSchema,
    MoneySchema,
    PageArgsSchema,
    money,
    page_body,
    page_schema,
)
from app.api.cooperatives import (
    AUTH_RESPONSES,
    SIGNED_IN,
    admin_only,
    admin_user,
    cooperative_summary,
    signed_in,
    signed_in_user,
)
from app.cooperatives.models import PayoutMethod
from app.cooperatives.permissions import cooperative_or_404, require_member
from app.cooperatives.schemas import CooperativeSummarySchema
from app.core.paging import page_of
from app.payouts import bank_file, queries, services
from app.payouts.models import BatchStatus, Payout, PayoutBatch, PayoutStatus

blp = Blueprint("api_payouts", __name__, description="Payouts to cooperatives.")

CSV_EXAMPLE = (
    "rib,name,amount,reference\r\n"
    "001810007800020110620221,Coopérative Tighza,1234.50,ST-PAY-000123\r\n"
)
CONFLICT = {"409": {"description": "`illegal_transition` or another state conflict."}}


class PayoutSchema(BaseSchema):
    id = ma.fields.Integer(required=True)
    cooperative = ma.fields.Nested(CooperativeSummarySchema, required=True)
    amount = ma.fields.Nested(MoneySchema, required=True)
    method = ma.fields.String(required=True, validate=ma.validate.OneOf(list(PayoutMethod)))
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(PayoutStatus)))
    reference = ma.fields.String(
        required=True,
        metadata={"example": "ST-PAY-000123", "description": "to quote on the bank transfer"},
    )
    batch_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "its bank-transfer batch, once a bank payout is executed"},
    )
    created_at = ma.fields.AwareDateTime(required=True)
    paid_at = ma.fields.AwareDateTime(required=True, allow_none=True)


class RunSchema(BaseSchema):
    proposed = ma.fields.List(
        ma.fields.Nested(PayoutSchema),
        required=True,
        metadata={"description": "payouts this run proposed; a second run proposes none again"},
    )


class PayoutQueryArgsSchema(PageArgsSchema):
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(list(PayoutStatus)))


class BatchSchema(BaseSchema):
    id = ma.fields.Integer(required=True)
    reference = ma.fields.String(required=True, metadata={"example": "ST-BATCH-000007"})
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(BatchStatus)))
    total = ma.fields.Nested(
        MoneySchema, required=True, metadata={"description": "what its file pays"}
    )
    payouts = ma.fields.List(ma.fields.Nested(PayoutSchema), required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    sent_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    paid_at = ma.fields.AwareDateTime(required=True, allow_none=True)


PayoutPageSchema = page_schema(PayoutSchema, "PayoutPageSchema")


def payout_body(payout: Payout) -> dict[str, Any]:
    return {
        "id": payout.id,
        "cooperative": cooperative_summary(payout.cooperative),
        "amount": money(payout.amount_cents),
        "method": payout.method,
        "status": payout.status,
        "reference": payout.reference,
        "batch_id": payout.batch_id,
        "created_at": payout.created_at,
        "paid_at": payout.paid_at,
    }


def batch_body(batch: PayoutBatch) -> dict[str, Any]:
    summary = queries.summary(batch)
    return {
        "id": batch.id,
        "reference": batch.reference,
        "status": batch.status,
        "total": money(summary.total_cents),
        "payouts": [payout_body(payout) for payout in batch.payouts],
        "created_at": batch.created_at,
        "sent_at": batch.sent_at,
        "paid_at": batch.paid_at,
    }


def _page(args: dict[str, Any], **filters) -> dict[str, Any]:
    page, per_page = args["page"], args["per_page"]
    items, total = page_of(queries.payouts(**filters), page, per_page)
    return page_body([payout_body(payout) for payout in items], page, per_page, total)


@blp.route("/admin/payouts/run", methods=["POST"])
@admin_only
@blp.response(200, RunSchema)
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def run_payouts() -> dict[str, Any]:
    """Release the earnings whose hold period has passed, then propose one payout per
    cooperative owed at least the minimum payout (net of what it owes)."""
    report = services.run_payouts(actor=admin_user())
    return {"proposed": [payout_body(payout) for payout in report.proposed]}


@blp.route("/admin/payouts", methods=["GET"])
@admin_only
@blp.arguments(PayoutQueryArgsSchema, location="query")
@blp.response(200, PayoutPageSchema)
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def list_payouts(args: dict[str, Any]) -> dict[str, Any]:
    """Every payout (or those in `status`), newest first."""
    return _page(args, status=args["status"])


@blp.route("/admin/payouts/<id:payout_id>/approve", methods=["POST"])
@admin_only
@blp.response(200, PayoutSchema)
@blp.alt_response(404, description="No such payout.")
@blp.doc(security=SIGNED_IN, responses={**AUTH_RESPONSES, **CONFLICT})
def approve_payout(payout_id: int) -> dict[str, Any]:
    """Agree to pay a proposed payout; approving it again changes nothing."""
    return payout_body(services.approve(queries.payout_or_404(payout_id), admin_user()))


@blp.route("/admin/payouts/<id:payout_id>/execute", methods=["POST"])
@admin_only
@blp.response(200, PayoutSchema)
@blp.alt_response(404, description="No such payout.")
@blp.doc(
    security=SIGNED_IN,
    responses={
        **AUTH_RESPONSES,
        "409": {
            "description": "`illegal_transition` (not approved, or failed), "
            "`payout_details_missing` (no valid RIB or Stripe account), `balance_changed` "
            "(the balance no longer covers it: the payout is failed)."
        },
    },
)
def execute_payout(payout_id: int) -> dict[str, Any]:
    """Pay an approved payout once: a bank transfer joins the open batch, a Stripe transfer is
    sent with the payout's key as idempotency key. Executing again returns it unchanged."""
    return payout_body(services.execute(queries.payout_or_404(payout_id), admin_user()))


@blp.route("/admin/payout-batches/<id:batch_id>", methods=["GET"])
@admin_only
@blp.response(200, BatchSchema)
@blp.alt_response(404, description="No such batch.")
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def get_batch(batch_id: int) -> dict[str, Any]:
    """A bank-transfer batch with its payouts."""
    return batch_body(queries.batch_or_404(batch_id))


@blp.route("/admin/payout-batches/<id:batch_id>.csv", methods=["GET"])
@admin_only
@blp.response(
    200,
    {"type": "string", "example": CSV_EXAMPLE},
    content_type="text/csv",
    description="Header `rib,name,amount,reference`, then one row per payout: the RIB's 24 "
    "digits, the cooperative's name, the amount in MAD (`1234.50`), the payout's reference.",
)
@blp.alt_response(404, description="No such batch.")
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def batch_file(batch_id: int) -> Response:
    """The bank-transfer file of a batch, for the platform's bank."""
    batch = queries.batch_or_404(batch_id)
    return Response(
        bank_file.batch_csv(batch),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{bank_file.file_name(batch)}"'},
    )


@blp.route("/admin/payout-batches/<id:batch_id>/sent", methods=["POST"])
@admin_only
@blp.response(200, BatchSchema)
@blp.alt_response(404, description="No such batch.")
@blp.doc(security=SIGNED_IN, responses={**AUTH_RESPONSES, **CONFLICT})
def mark_batch_sent(batch_id: int) -> dict[str, Any]:
    """The file was given to the bank; new bank payouts go to a new batch."""
    return batch_body(services.mark_batch_sent(queries.batch_or_404(batch_id), admin_user()))


@blp.route("/admin/payout-batches/<id:batch_id>/paid", methods=["POST"])
@admin_only
@blp.response(200, BatchSchema)
@blp.alt_response(404, description="No such batch.")
@blp.doc(security=SIGNED_IN, responses={**AUTH_RESPONSES, **CONFLICT})
def mark_batch_paid(batch_id: int) -> dict[str, Any]:
    """The bank made the transfers: the batch's payouts are paid and their cooperatives told."""
    return batch_body(services.mark_batch_paid(queries.batch_or_404(batch_id), admin_user()))


@blp.route("/cooperatives/<id:cooperative_id>/payouts", methods=["GET"])
@signed_in
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, PayoutPageSchema)
@blp.alt_response(404, description="No such cooperative.")
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def cooperative_payouts(args: dict[str, Any], cooperative_id: int) -> dict[str, Any]:
    """The cooperative's payouts, newest first (its members only)."""
    cooperative = cooperative_or_404(cooperative_id)
    require_member(signed_in_user(), cooperative.id)
    return _page(args, cooperative_id=cooperative.id)
