"""A cooperative's statement, balance and the trial balance, through queries, API and page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from support.factories import CooperativeFactory, MembershipFactory, login_as

from app.core.db import utcnow
from app.ledger import codes, operations, queries
from app.ledger.operations import Entry

# Days in June 2025; Morocco was on UTC+1 then.
JUNE_2 = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
JUNE_5 = datetime(2025, 6, 5, 9, 0, tzinfo=UTC)
JUNE_9 = datetime(2025, 6, 9, 9, 0, tzinfo=UTC)


def pay(cooperative_id: int, key: str, producer: int, fees: int, at: datetime) -> None:
    operations.post(
        "card_payment",
        key,
        [
            Entry(codes.CLEARING_STRIPE, -(producer + fees)),
            Entry(codes.cooperative_pending(cooperative_id), producer),
            Entry(codes.PLATFORM_REVENUE, fees),
        ],
        memo=f"Order {key}",
        occurred_at=at,
    )


def release(cooperative_id: int, key: str, amount: int, at: datetime) -> None:
    operations.post(
        "release",
        key,
        [
            Entry(codes.cooperative_pending(cooperative_id), -amount),
            Entry(codes.cooperative_available(cooperative_id), amount),
        ],
        occurred_at=at,
    )


@pytest.fixture
def history(cooperative):
    other = CooperativeFactory()
    pay(cooperative.id, "A", 11040, 960, JUNE_2)
    pay(other.id, "B", 5000, 400, JUNE_2)
    release(cooperative.id, "C", 11040, JUNE_5)
    pay(cooperative.id, "D", 2000, 160, JUNE_9)
    return cooperative


def test_the_statement_runs_a_balance_from_the_opening_balance(history):
    found = queries.statement(history.id, date(2025, 6, 3), date(2025, 6, 30))

    assert found.opening_balance_cents == 11040
    assert [
        (line.kind, line.account, line.amount_cents, line.balance_cents) for line in found.lines
    ] == [
        ("release", "pending", -11040, 0),
        ("release", "available", 11040, 11040),
        ("card_payment", "pending", 2000, 13040),
    ]
    assert found.closing_balance_cents == 13040


def test_the_statement_counts_days_in_morocco_time(cooperative):
    # 23:30 UTC on June 4th is already June 5th in Morocco (UTC+1).
    pay(cooperative.id, "late", 1000, 0, datetime(2025, 6, 4, 23, 30, tzinfo=UTC))

    june_4 = queries.statement(cooperative.id, date(2025, 6, 4), date(2025, 6, 4))
    june_5 = queries.statement(cooperative.id, date(2025, 6, 5), date(2025, 6, 5))

    assert june_4.lines == []
    assert [line.amount_cents for line in june_5.lines] == [1000]


def test_the_statement_refuses_a_period_that_ends_before_it_starts(cooperative):
    with pytest.raises(ValueError):
        queries.statement(cooperative.id, date(2025, 6, 5), date(2025, 6, 4))


def test_a_member_reads_the_balance(client, history, api_token):
    member = MembershipFactory(cooperative=history).user

    response = client.get(f"/api/v1/cooperatives/{history.id}/balance", headers=api_token(member))

    assert response.status_code == 200
    assert response.get_json() == {
        "pending": {"amount": 2000, "currency": "MAD"},
        "available": {"amount": 11040, "currency": "MAD"},
        "next_payout": None,
    }


def test_a_member_reads_the_statement(client, history, api_token):
    member = MembershipFactory(cooperative=history).user

    response = client.get(
        f"/api/v1/cooperatives/{history.id}/statement?from=2025-06-03&to=2025-06-30",
        headers=api_token(member),
    )

    statement = response.get_json()
    assert response.status_code == 200
    assert statement["from"] == "2025-06-03"
    assert statement["opening_balance"] == {"amount": 11040, "currency": "MAD"}
    assert [line["balance"]["amount"] for line in statement["lines"]] == [0, 11040, 13040]
    assert statement["lines"][2]["memo"] == "Order D"
    assert datetime.fromisoformat(statement["lines"][2]["date"]) == JUNE_9
    assert statement["closing_balance"] == {"amount": 13040, "currency": "MAD"}


def test_the_statement_defaults_to_this_month(client, cooperative, owner, api_token):
    pay(cooperative.id, "today", 700, 0, utcnow())

    statement = client.get(
        f"/api/v1/cooperatives/{cooperative.id}/statement", headers=api_token(owner)
    ).get_json()

    assert [line["amount"]["amount"] for line in statement["lines"]] == [700]
    assert statement["from"].endswith("-01")


def test_a_statement_period_out_of_order_is_a_422(client, cooperative, owner, api_token):
    url = f"/api/v1/cooperatives/{cooperative.id}/statement?from=2025-06-05&to=2025-06-01"

    response = client.get(url, headers=api_token(owner))

    assert response.status_code == 422
    assert "from" in response.get_json()["error"]["fields"]
    assert (
        client.get(url.replace("2025-06-05", "June"), headers=api_token(owner)).status_code == 422
    )


def test_balance_and_statement_are_for_the_cooperatives_members_only(
    client, cooperative, shopper, admin, api_token
):
    other_member = MembershipFactory().user
    for path in ("balance", "statement"):
        url = f"/api/v1/cooperatives/{cooperative.id}/{path}"
        assert client.get(url).status_code == 401
        assert client.get(url, headers=api_token(shopper)).status_code == 403
        assert client.get(url, headers=api_token(other_member)).status_code == 403
    assert (
        client.get("/api/v1/cooperatives/999999/balance", headers=api_token(admin)).status_code
        == 404
    )


def test_the_trial_balance_api_totals_zero(client, history, admin, api_token):
    response = client.get("/api/v1/admin/ledger/trial-balance", headers=api_token(admin))

    body = response.get_json()
    assert response.status_code == 200
    assert body["total"] == {"amount": 0, "currency": "MAD"}
    balances = {account["code"]: account["balance"]["amount"] for account in body["accounts"]}
    assert balances["clearing:stripe"] == -(12000 + 5400 + 2160)
    assert balances[codes.cooperative_available(history.id)] == 11040
    assert sum(balances.values()) == 0


def test_the_trial_balance_is_for_admins_only(client, shopper, api_token):
    assert client.get("/api/v1/admin/ledger/trial-balance").status_code == 401
    assert (
        client.get("/api/v1/admin/ledger/trial-balance", headers=api_token(shopper)).status_code
        == 403
    )


def test_the_admin_ledger_page_shows_the_trial_balance_now_and_at_a_past_day(
    client, history, admin, shopper
):
    now = login_as(client, admin).get("/admin/ledger").get_data(as_text=True)
    june_3 = client.get("/admin/ledger?as_of=2025-06-03").get_data(as_text=True)
    garbage = client.get("/admin/ledger?as_of=someday")

    assert "clearing:stripe" in now and "-195.60" in now
    assert "-174.00" in june_3  # only the two payments of June 2nd
    assert garbage.status_code == 422
    assert login_as(client, shopper).get("/admin/ledger").status_code == 403


def test_the_openapi_document_describes_the_money_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert "get" in paths["/api/v1/admin/ledger/trial-balance"]
    assert "get" in paths["/api/v1/cooperatives/{cooperative_id}/balance"]
    assert "get" in paths["/api/v1/cooperatives/{cooperative_id}/statement"]


def test_as_of_balances_ignore_later_events(history):
    assert queries.cooperative_balance(history.id, as_of=JUNE_5 - timedelta(seconds=1)) == (
        11040,
        0,
    )
    assert queries.cooperative_balance(history.id) == (2000, 11040)
