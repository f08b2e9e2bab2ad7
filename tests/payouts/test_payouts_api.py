"""Payouts in the JSON API, exactly as API.md: admins run, approve, execute; members read."""

from __future__ import annotations

import csv
import io

import pytest
from support.factories import CooperativeFactory, MembershipFactory

PAYOUT_KEYS = [
    "id",
    "cooperative",
    "amount",
    "method",
    "status",
    "reference",
    "batch_id",
    "created_at",
    "paid_at",
]


@pytest.fixture
def admin_headers(admin, api_token):
    return api_token(admin)


def _proposed(client, headers, cooperative, books, cents=25000) -> dict:
    books.earn(cooperative, cents)
    response = client.post("/api/v1/admin/payouts/run", headers=headers)
    assert response.status_code == 200, response.get_json()
    [payout] = [
        p for p in response.get_json()["proposed"] if p["cooperative"]["id"] == cooperative.id
    ]
    return payout


ADMIN_CALLS = [
    ("post", "/api/v1/admin/payouts/run"),
    ("get", "/api/v1/admin/payouts"),
    ("post", "/api/v1/admin/payouts/1/approve"),
    ("post", "/api/v1/admin/payouts/1/execute"),
    ("get", "/api/v1/admin/payout-batches/1"),
    ("get", "/api/v1/admin/payout-batches/1.csv"),
    ("post", "/api/v1/admin/payout-batches/1/sent"),
    ("post", "/api/v1/admin/payout-batches/1/paid"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_CALLS)
def test_payout_administration_is_for_admins_only(client, api_token, owner, shopper, method, path):
    assert getattr(client, method)(path).status_code == 401
    for user in (shopper, owner):
        response = getattr(client, method)(path, headers=api_token(user))
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"


def test_a_run_answers_the_payouts_it_proposed_and_nothing_the_second_time(
    client, admin_headers, bank_cooperative, books
):
    payout = _proposed(client, admin_headers, bank_cooperative, books, 25080)

    assert sorted(payout) == sorted(PAYOUT_KEYS)
    assert payout["amount"] == {"amount": 25080, "currency": "MAD"}
    assert payout["method"] == "bank_transfer"
    assert payout["status"] == "proposed"
    assert payout["reference"] == f"ST-PAY-{payout['id']:06d}"
    assert payout["batch_id"] is None and payout["paid_at"] is None
    assert payout["created_at"].endswith("+00:00")
    assert payout["cooperative"]["id"] == bank_cooperative.id
    assert payout["cooperative"]["name"] == bank_cooperative.name
    again = client.post("/api/v1/admin/payouts/run", headers=admin_headers)
    assert again.get_json() == {"proposed": []}


def test_admins_list_payouts_by_status_page_by_page(client, admin_headers, books):
    for _ in range(3):
        books.earn(CooperativeFactory(), 20000)
    client.post("/api/v1/admin/payouts/run", headers=admin_headers)

    page = client.get(
        "/api/v1/admin/payouts?status=proposed&per_page=2&page=2", headers=admin_headers
    ).get_json()
    none = client.get("/api/v1/admin/payouts?status=paid", headers=admin_headers).get_json()
    bad = client.get("/api/v1/admin/payouts?status=lost", headers=admin_headers)

    assert (page["page"], page["per_page"], page["total"]) == (2, 2, 3)
    assert len(page["items"]) == 1 and page["items"][0]["status"] == "proposed"
    assert none["items"] == [] and none["total"] == 0
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["fields"]


def test_approve_then_execute_twice_pays_once(client, admin_headers, bank_cooperative, books):
    payout = _proposed(client, admin_headers, bank_cooperative, books)
    base = f"/api/v1/admin/payouts/{payout['id']}"

    too_early = client.post(f"{base}/execute", headers=admin_headers)
    approved = client.post(f"{base}/approve", headers=admin_headers)
    first = client.post(f"{base}/execute", headers=admin_headers)
    second = client.post(f"{base}/execute", headers=admin_headers)

    assert too_early.status_code == 409
    assert too_early.get_json()["error"]["code"] == "illegal_transition"
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert first.status_code == 200 and second.status_code == 200
    assert first.get_json()["status"] == "processing"
    assert second.get_json() == first.get_json()
    assert first.get_json()["batch_id"] is not None
    assert books.available(bank_cooperative) == 0
    books.assert_balanced()


def test_a_stripe_payout_executed_through_the_api_is_paid(
    client, admin_headers, stripe_cooperative, books, fake_stripe
):
    payout = _proposed(client, admin_headers, stripe_cooperative, books)
    base = f"/api/v1/admin/payouts/{payout['id']}"
    client.post(f"{base}/approve", headers=admin_headers)

    paid = client.post(f"{base}/execute", headers=admin_headers).get_json()

    assert paid["status"] == "paid" and paid["paid_at"] is not None
    assert paid["batch_id"] is None
    assert len(fake_stripe.requests_to("POST", "/v1/transfers")) == 1


def test_unknown_payouts_and_batches_are_404_however_large_the_id(client, admin_headers):
    for path in (
        "/api/v1/admin/payouts/999/approve",
        "/api/v1/admin/payouts/99999999999999999999/execute",
        "/api/v1/admin/payout-batches/99999999999/sent",
    ):
        response = client.post(path, headers=admin_headers)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
    assert (
        client.get("/api/v1/admin/payout-batches/12.csv", headers=admin_headers).status_code == 404
    )


def test_the_batch_file_downloads_as_csv_and_the_batch_is_marked_sent_then_paid(
    client, admin_headers, bank_cooperative, books
):
    payout = _proposed(client, admin_headers, bank_cooperative, books, 123450)
    base = f"/api/v1/admin/payouts/{payout['id']}"
    client.post(f"{base}/approve", headers=admin_headers)
    batch_id = client.post(f"{base}/execute", headers=admin_headers).get_json()["batch_id"]

    response = client.get(f"/api/v1/admin/payout-batches/{batch_id}.csv", headers=admin_headers)
    early = client.post(f"/api/v1/admin/payout-batches/{batch_id}/paid", headers=admin_headers)
    sent = client.post(f"/api/v1/admin/payout-batches/{batch_id}/sent", headers=admin_headers)
    paid = client.post(f"/api/v1/admin/payout-batches/{batch_id}/paid", headers=admin_headers)
    batch = client.get(f"/api/v1/admin/payout-batches/{batch_id}", headers=admin_headers)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["rib", "name", "amount", "reference"],
        [bank_cooperative.rib, bank_cooperative.name, "1234.50", payout["reference"]],
    ]
    assert early.status_code == 409
    assert sent.status_code == 200 and sent.get_json()["status"] == "sent"
    assert paid.get_json()["status"] == "paid"
    body = batch.get_json()
    assert body["total"] == {"amount": 123450, "currency": "MAD"}
    assert body["reference"] == f"ST-BATCH-{batch_id:06d}"
    assert [p["status"] for p in body["payouts"]] == ["paid"]


def test_members_read_their_cooperatives_payouts_and_no_one_else(
    client, api_token, admin_headers, bank_cooperative, books, shopper
):
    payout = _proposed(client, admin_headers, bank_cooperative, books)
    member = bank_cooperative.memberships[0].user
    stranger = MembershipFactory().user
    path = f"/api/v1/cooperatives/{bank_cooperative.id}/payouts"

    mine = client.get(path, headers=api_token(member))

    assert mine.status_code == 200
    assert mine.get_json()["total"] == 1
    assert mine.get_json()["items"][0]["id"] == payout["id"]
    assert client.get(path).status_code == 401
    assert client.get(path, headers=api_token(stranger)).status_code == 403
    assert client.get(path, headers=api_token(shopper)).status_code == 403
    assert (
        client.get("/api/v1/cooperatives/999999/payouts", headers=api_token(member)).status_code
        == 404
    )


def test_the_balance_shows_the_payout_on_its_way(
    client, api_token, admin_headers, bank_cooperative, books
):
    member_headers = api_token(bank_cooperative.memberships[0].user)
    path = f"/api/v1/cooperatives/{bank_cooperative.id}/balance"

    books.earn(bank_cooperative, 12000)
    before_the_run = client.get(path, headers=member_headers).get_json()
    payout = _proposed(client, admin_headers, bank_cooperative, books, 3000)
    books.earn(bank_cooperative, 50000)
    proposed = client.get(path, headers=member_headers).get_json()
    client.post(f"/api/v1/admin/payouts/{payout['id']}/approve", headers=admin_headers)
    client.post(f"/api/v1/admin/payouts/{payout['id']}/execute", headers=admin_headers)
    executed = client.get(path, headers=member_headers).get_json()

    assert before_the_run["next_payout"] is None
    # The proposal waiting for an admin is what comes next, not what was earned since.
    assert proposed["next_payout"] == {"amount": 15000, "currency": "MAD"}
    assert proposed["available"] == {"amount": 65000, "currency": "MAD"}
    assert executed["next_payout"] == {"amount": 15000, "currency": "MAD"}
    assert executed["available"] == {"amount": 50000, "currency": "MAD"}


def test_the_openapi_document_describes_the_payout_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]

    for path in (
        "/api/v1/admin/payouts/run",
        "/api/v1/admin/payouts",
        "/api/v1/admin/payouts/{payout_id}/approve",
        "/api/v1/admin/payouts/{payout_id}/execute",
        "/api/v1/admin/payout-batches/{batch_id}.csv",
        "/api/v1/admin/payout-batches/{batch_id}/sent",
        "/api/v1/admin/payout-batches/{batch_id}/paid",
        "/api/v1/cooperatives/{cooperative_id}/payouts",
    ):
        assert path in paths, path
    payout = spec["components"]["schemas"]["Payout"]
    assert list(payout["properties"]) == PAYOUT_KEYS
    csv_answer = paths["/api/v1/admin/payout-batches/{batch_id}.csv"]["get"]["responses"]["200"]
    assert "text/csv" in csv_answer["content"]
