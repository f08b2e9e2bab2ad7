"""Every admin action is in the audit log: who, what, when, the record before and after; and
the log page finds them by admin, action, record and day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from support.factories import (
    CooperativeFactory,
    FairFactory,
    ProductFactory,
    UserFactory,
    file_papers,
    login_as,
)

from app.audit.models import AdminAction
from app.audit.operations import COMMAND_LINE, record
from app.cooperatives import services as cooperatives
from app.core.db import utcnow
from app.core.errors import IllegalTransition
from app.extensions import db
from app.fair import services as fair
from app.fair.queries import morocco_today
from app.fees import services as fees

EN = {"Accept-Language": "en"}


def logged(action: str) -> list[AdminAction]:
    return list(
        db.session.scalars(
            select(AdminAction).where(AdminAction.action == action).order_by(AdminAction.id)
        )
    )


def test_verifying_and_suspending_a_cooperative_are_logged_with_its_status(admin):
    cooperative = file_papers(CooperativeFactory(status="pending"))
    cooperatives.verify(cooperative, admin, "Papers checked at the ODCo registry")
    cooperatives.suspend(cooperative, admin, "Sells honey that is not its own")
    (verified,) = logged("cooperative.verify")
    assert (verified.actor_id, verified.actor_label) == (admin.id, admin.email)
    assert (verified.target_type, verified.target_id) == ("cooperative", str(cooperative.id))
    assert verified.before == {"status": "pending", "status_note": None}
    assert verified.after == {
        "status": "verified",
        "status_note": "Papers checked at the ODCo registry",
    }
    (suspended,) = logged("cooperative.suspend")
    assert suspended.before["status"] == "verified"
    assert suspended.after["status"] == "suspended"
    assert suspended.note == "Sells honey that is not its own"


def test_a_refused_action_leaves_no_trace(admin):
    cooperative = CooperativeFactory(status="verified")
    with pytest.raises(IllegalTransition):
        cooperatives.verify(cooperative, admin)
    assert logged("cooperative.verify") == []


def test_giving_a_stand_is_logged(admin):
    cooperative = CooperativeFactory()
    the_fair = FairFactory()
    stand = fair.add_stand(the_fair, cooperative, "b-07", admin)
    (given,) = logged("stand.add")
    assert given.target_id == str(stand.id)
    assert given.before == {}
    assert given.after == {"fair_id": the_fair.id, "cooperative_id": cooperative.id, "code": "B-07"}


def test_adding_and_ending_a_fee_rule_are_logged_with_its_terms(admin):
    rule = fees.add_rule(
        admin,
        {"name": "Honey week", "scope": "default", "commission_bps": 500, "priority": 5},
    )
    end = utcnow() + timedelta(days=3)
    fees.end_rule(rule, admin, end)
    (added,) = logged("fee_rule.add")
    assert added.target_id == str(rule.id)
    assert added.after["commission_bps"] == 500 and added.after["name"] == "Honey week"
    assert added.after["valid_to"] is None
    (ended,) = logged("fee_rule.end")
    assert ended.before == {"valid_to": None}
    assert ended.after == {"valid_to": end.isoformat()}


def test_a_refund_is_logged_with_the_order_before_and_after(sales_data):
    (refund,) = logged("refund.create")
    assert refund.actor_id == sales_data.admin.id
    assert refund.before == {"order_status": "paid", "refunded_cents": 0}
    assert refund.after["refunded_cents"] == 12000
    assert refund.after["order_number"] == sales_data.orders["O1"].number
    assert (refund.after["producer_cents"], refund.after["platform_cents"]) == (11040, 840)
    assert refund.after["funded_by"] == "cooperative"
    assert refund.note == "One jar arrived broken"


def test_create_admin_on_the_command_line_is_logged(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin", "Nadia@Souk.example", "--password", "a-long-pass-phrase"]
    )
    assert result.exit_code == 0, result.output
    (created,) = logged("user.create_admin")
    assert (created.actor_id, created.actor_label) == (None, COMMAND_LINE)
    assert (created.target_type, created.target_id) == ("user", "nadia@souk.example")
    shopper = UserFactory(email="karim@souk.example")
    assert runner.invoke(args=["create-admin", shopper.email]).exit_code == 0
    (promoted,) = logged("user.promote_admin")
    assert promoted.before == {"role": "shopper"}
    assert promoted.after == {"role": "admin", "password_changed": False}


def rows_of(response) -> str:
    """The log's table only (the action filter lists every action too)."""
    page = response.get_data(as_text=True)
    return page[page.find("<tbody>") :]


def test_the_audit_page_lists_actions_with_before_and_after_and_filters_them(client, admin):
    other = UserFactory(role="admin", email="second-admin@souk.example")
    product = ProductFactory(name="Amlou")
    record(
        admin,
        "product.hide",
        "product",
        product.id,
        {"hidden_reason": None},
        {"hidden_reason": "Fake label"},
        "Fake label",
    )
    record(other, "fee_rule.end", "fee_rule", 42, {"valid_to": None}, {"valid_to": "2026-12-01"})
    login_as(client, admin)
    page = rows_of(client.get("/admin/audit", headers=EN))
    assert "product.hide" in page and "fee_rule.end" in page
    assert "Fake label" in page and f'href="/admin/products/{product.id}"' in page
    by_admin = client.get("/admin/audit", query_string={"actor": "second-admin"})
    assert "fee_rule.end" in rows_of(by_admin) and "product.hide" not in rows_of(by_admin)
    by_action = client.get("/admin/audit", query_string={"action": "product.hide"})
    assert "fee_rule.end" not in rows_of(by_action) and "product.hide" in rows_of(by_action)
    by_record = client.get(
        "/admin/audit", query_string={"target_type": "fee_rule", "target_id": "42"}
    )
    assert "product.hide" not in rows_of(by_record) and "fee_rule.end" in rows_of(by_record)
    tomorrow = (morocco_today() + timedelta(days=1)).isoformat()
    later = client.get("/admin/audit", query_string={"from": tomorrow})
    assert "product.hide" not in rows_of(later)
    assert client.get("/admin/audit", query_string={"action": "nope"}).status_code == 422
    bad_period = {"from": tomorrow, "to": morocco_today().isoformat()}
    assert client.get("/admin/audit", query_string=bad_period).status_code == 422
