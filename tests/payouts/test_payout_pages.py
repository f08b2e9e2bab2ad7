"""The admins' payouts page and the cooperative's balance-and-payouts page, through HTML forms."""

from __future__ import annotations

import re

from support.factories import MembershipFactory, csrf_from, login_as

from app.extensions import db
from app.payouts.models import Payout, PayoutStatus

PAGE = "/admin/payouts"


def _post(client, path: str, data: dict | None = None):
    """Post as the page's form, confirmed (the routes that need it ask otherwise)."""
    token = csrf_from(client, PAGE)
    return client.post(path, data={"csrf_token": token, "confirmed": "yes", **(data or {})})


def _run(client) -> Payout:
    response = _post(client, "/admin/payouts/run")
    assert response.status_code == 302
    return db.session.query(Payout).order_by(Payout.id.desc()).first()


def test_the_payouts_page_is_for_admins_only(client, shopper, owner):
    assert client.get(PAGE).status_code == 302  # to the login page
    for user in (shopper, owner):
        assert login_as(client, user).get(PAGE).status_code == 403


def test_an_admin_runs_approves_and_executes_a_bank_payout_from_the_page(
    client, admin, bank_cooperative, books
):
    books.earn(bank_cooperative, 123450)
    login_as(client, admin)

    payout = _run(client)
    listed = client.get(f"{PAGE}?status=proposed").get_data(as_text=True)
    approved = _post(client, f"/admin/payouts/{payout.id}/approve")
    executed = _post(client, f"/admin/payouts/{payout.id}/execute")
    page = client.get(PAGE).get_data(as_text=True)

    assert payout.amount_cents == 123450
    assert payout.reference in listed and bank_cooperative.name in listed
    assert approved.status_code == 302 and executed.status_code == 302
    db.session.refresh(payout)
    assert payout.status == PayoutStatus.PROCESSING
    assert payout.batch.reference in page
    csv_link = f"/admin/payout-batches/{payout.batch_id}.csv"
    assert csv_link in page
    download = client.get(csv_link)
    assert download.mimetype == "text/csv"
    assert f"{bank_cooperative.rib},{bank_cooperative.name},1234.50,{payout.reference}" in (
        download.get_data(as_text=True)
    )


def test_an_admin_marks_the_batch_sent_then_paid(client, admin, bank_cooperative, books):
    books.earn(bank_cooperative, 20000)
    login_as(client, admin)
    payout = _run(client)
    _post(client, f"/admin/payouts/{payout.id}/approve")
    _post(client, f"/admin/payouts/{payout.id}/execute")
    db.session.refresh(payout)

    sent = _post(client, f"/admin/payout-batches/{payout.batch_id}/sent")
    paid = _post(client, f"/admin/payout-batches/{payout.batch_id}/paid")

    assert sent.status_code == 302 and paid.status_code == 302
    db.session.refresh(payout)
    assert payout.status == PayoutStatus.PAID
    assert payout.batch.status == "paid"


def test_a_refused_action_shows_the_page_again_with_why(client, admin, bank_cooperative, books):
    books.earn(bank_cooperative, 20000)
    login_as(client, admin)
    payout = _run(client)

    response = _post(client, f"/admin/payouts/{payout.id}/execute")

    assert response.status_code == 409
    assert "cannot go from “Proposed” to “Being paid”" in response.get_data(as_text=True)


def test_failing_a_payout_needs_a_reason_shown_next_to_the_field(
    client, admin, bank_cooperative, books
):
    books.earn(bank_cooperative, 20000)
    login_as(client, admin)
    payout = _run(client)

    empty = _post(client, f"/admin/payouts/{payout.id}/fail", {"reason": "  "})
    given = _post(client, f"/admin/payouts/{payout.id}/fail", {"reason": "Duplicate RIB."})

    assert empty.status_code == 422
    html = empty.get_data(as_text=True)
    assert re.search(r'id="reason-errors">\s*<li>Give the reason.</li>', html)
    assert given.status_code == 302
    db.session.refresh(payout)
    assert payout.status == PayoutStatus.FAILED
    assert payout.failure_reason == "Duplicate RIB."


def test_buttons_without_the_csrf_token_are_refused(client, admin, bank_cooperative, books):
    books.earn(bank_cooperative, 20000)
    login_as(client, admin)

    assert client.post("/admin/payouts/run").status_code == 400
    assert db.session.query(Payout).count() == 0


def test_an_unknown_status_filter_is_reported(client, admin):
    response = login_as(client, admin).get(f"{PAGE}?status=lost")

    assert response.status_code == 422


def test_members_see_their_balance_and_payouts(client, admin, bank_cooperative, books):
    books.earn(bank_cooperative, 30000)
    login_as(client, admin)
    payout = _run(client)
    member = bank_cooperative.memberships[0].user
    path = f"/dashboard/{bank_cooperative.id}/payouts"

    html = login_as(client, member).get(path).get_data(as_text=True)

    assert payout.reference in html
    assert "300.00" in html.replace("\u202f", " ").replace(",", ".").replace(" ", "")
    assert 'id="payout-' in html


def test_the_cooperative_payouts_page_is_for_its_members_only(client, bank_cooperative, shopper):
    path = f"/dashboard/{bank_cooperative.id}/payouts"
    stranger = MembershipFactory().user

    assert client.get(path).status_code == 302
    assert login_as(client, stranger).get(path).status_code == 403
    assert login_as(client, shopper).get(path).status_code == 403
    assert login_as(client, shopper).get("/dashboard/999999/payouts").status_code == 404


def test_running_or_approving_without_the_confirmation_asks_first_and_changes_nothing(
    client, admin, bank_cooperative, books
):
    books.earn(bank_cooperative, 123450)
    login_as(client, admin)
    token = csrf_from(client, PAGE)

    asked = client.post("/admin/payouts/run", data={"csrf_token": token})

    assert asked.status_code == 200
    assert 'name="confirmed" value="yes"' in asked.get_data(as_text=True)
    assert db.session.query(Payout).count() == 0
    payout = _run(client)
    asked = client.post(f"/admin/payouts/{payout.id}/approve", data={"csrf_token": token})
    assert asked.status_code == 200
    db.session.refresh(payout)
    assert payout.status == "proposed"


def test_paying_failing_or_closing_a_batch_without_the_confirmation_asks_first_and_changes_nothing(
    client, admin, bank_cooperative, books
):
    books.earn(bank_cooperative, 20000)
    login_as(client, admin)
    payout = _run(client)
    _post(client, f"/admin/payouts/{payout.id}/approve")
    token = csrf_from(client, PAGE)

    def asked(path: str, **data: str) -> bool:
        response = client.post(path, data={"csrf_token": token, **data})
        return response.status_code == 200 and 'name="confirmed" value="yes"' in response.text

    assert asked(f"/admin/payouts/{payout.id}/execute")
    assert asked(f"/admin/payouts/{payout.id}/fail", reason="Duplicate RIB.")
    db.session.refresh(payout)
    assert payout.status == PayoutStatus.APPROVED and payout.batch_id is None
    _post(client, f"/admin/payouts/{payout.id}/execute")
    db.session.refresh(payout)
    assert asked(f"/admin/payout-batches/{payout.batch_id}/sent")
    db.session.refresh(payout.batch)
    assert payout.batch.status == "open"
    _post(client, f"/admin/payout-batches/{payout.batch_id}/sent")
    assert asked(f"/admin/payout-batches/{payout.batch_id}/paid")
    db.session.refresh(payout)
    db.session.refresh(payout.batch)
    assert payout.status == PayoutStatus.PROCESSING and payout.batch.status == "sent"
