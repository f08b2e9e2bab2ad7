"""The real ``stripe`` client (16.x) against :class:`FakeStripe`, over real HTTP.

These tests pin down both the fake and the way the app is meant to call Stripe, so the calls
here (``client.v1.<service>.<method>(id, params={...}, options={...})``) are the app's template.
"""

from __future__ import annotations

import json
import time

import pytest
import requests
import stripe

from support.stripe_fake import FakeStripe, parse_form, sign, signed_webhook

ORDER_PARAMS = {
    "amount": 12050,
    "currency": "MAD",
    "metadata": {"order_number": "ST-7K3Q9X", "order_id": "42"},
    "transfer_group": "ST-7K3Q9X",
    "automatic_payment_methods": {"enabled": True},
    "description": "Souk Tadamon order ST-7K3Q9X",
}


@pytest.fixture
def paid_intent(
    fake_stripe: FakeStripe, stripe_client: stripe.StripeClient
) -> stripe.PaymentIntent:
    intent = stripe_client.v1.payment_intents.create(params=ORDER_PARAMS)
    fake_stripe.succeed_payment(intent.id)
    return stripe_client.v1.payment_intents.retrieve(intent.id)


# ------------------------------------------------------------------------------ payment intents


def test_create_retrieve_cancel_payment_intent(
    fake_stripe: FakeStripe, stripe_client: stripe.StripeClient, stripe_secret_key: str
) -> None:
    intent = stripe_client.v1.payment_intents.create(
        params=ORDER_PARAMS, options={"idempotency_key": "order-42-attempt-1"}
    )

    assert isinstance(intent, stripe.PaymentIntent)
    assert intent.id.startswith("pi_")
    assert intent.object == "payment_intent"
    assert intent.status == "requires_payment_method"
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    assert (intent.amount, intent.currency, intent.livemode) == (12050, "mad", False)
    assert intent.metadata.to_dict() == {"order_number": "ST-7K3Q9X", "order_id": "42"}
    assert intent.transfer_group == "ST-7K3Q9X"
    assert intent.automatic_payment_methods is not None
    assert intent.automatic_payment_methods.enabled is True
    assert isinstance(intent.created, int) and abs(intent.created - time.time()) < 60

    recorded = fake_stripe.requests[-1]
    assert (recorded.method, recorded.path) == ("POST", "/v1/payment_intents")
    assert recorded.params["metadata"] == {"order_number": "ST-7K3Q9X", "order_id": "42"}
    assert recorded.params["automatic_payment_methods"] == {"enabled": "true"}
    assert recorded.params["amount"] == "12050"
    assert recorded.headers["authorization"] == f"Bearer {stripe_secret_key}"
    assert recorded.headers["Idempotency-Key"] == "order-42-attempt-1"

    fetched = stripe_client.v1.payment_intents.retrieve(intent.id)
    assert fetched.to_dict() == intent.to_dict()

    canceled = stripe_client.v1.payment_intents.cancel(
        intent.id, params={"cancellation_reason": "abandoned"}
    )
    assert canceled.status == "canceled"
    assert canceled.cancellation_reason == "abandoned"
    assert canceled.canceled_at is not None

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        stripe_client.v1.payment_intents.cancel(intent.id)
    assert excinfo.value.code == "payment_intent_unexpected_state"


def test_unknown_ids_are_404_resource_missing(stripe_client: stripe.StripeClient) -> None:
    for call in (
        lambda: stripe_client.v1.payment_intents.retrieve("pi_nope"),
        lambda: stripe_client.v1.payment_intents.cancel("pi_nope"),
        lambda: stripe_client.v1.transfers.retrieve("tr_nope"),
    ):
        with pytest.raises(stripe.InvalidRequestError) as excinfo:
            call()
        assert excinfo.value.http_status == 404
        assert excinfo.value.code == "resource_missing"


def test_bad_parameters_are_refused_like_stripe(stripe_client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        stripe_client.v1.payment_intents.create(
            params={"amount_cents": 100, "currency": "mad"}  # type: ignore[typeddict-unknown-key]
        )
    assert (excinfo.value.code, excinfo.value.param) == ("parameter_unknown", "amount_cents")

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        stripe_client.v1.payment_intents.create(params={"amount": 120.5, "currency": "mad"})  # type: ignore[typeddict-item]
    assert excinfo.value.code == "parameter_invalid_integer"

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        stripe_client.v1.payment_intents.create(params={"currency": "mad"})  # type: ignore[typeddict-item]
    assert (excinfo.value.code, excinfo.value.param) == ("parameter_missing", "amount")


def test_idempotent_create_replays_and_refuses_other_params(
    fake_stripe: FakeStripe, stripe_client: stripe.StripeClient
) -> None:
    options: stripe.RequestOptions = {"idempotency_key": "checkout-ST-7K3Q9X"}
    first = stripe_client.v1.payment_intents.create(params=ORDER_PARAMS, options=options)
    second = stripe_client.v1.payment_intents.create(params=ORDER_PARAMS, options=options)

    assert second.id == first.id
    assert second.client_secret == first.client_secret
    assert second.last_response is not None
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(fake_stripe.requests_to("POST", "/v1/payment_intents")) == 2

    with pytest.raises(stripe.IdempotencyError) as excinfo:
        stripe_client.v1.payment_intents.create(
            params={**ORDER_PARAMS, "amount": 99}, options=options
        )
    assert excinfo.value.http_status == 400
    assert "same parameters" in str(excinfo.value)

    with pytest.raises(stripe.IdempotencyError, match="same endpoint"):
        stripe_client.v1.refunds.create(params={"payment_intent": first.id}, options=options)


def test_authentication(fake_stripe: FakeStripe) -> None:
    for key in ("sk_live_not_here", "pk_test_publishable"):
        wrong = stripe.StripeClient(
            key, base_addresses={"api": fake_stripe.url}, max_network_retries=0
        )
        with pytest.raises(stripe.AuthenticationError) as excinfo:
            wrong.v1.payment_intents.create(params=ORDER_PARAMS)
        assert excinfo.value.http_status == 401

    response = requests.post(
        f"{fake_stripe.url}/v1/payment_intents", data={"amount": 1}, timeout=10
    )
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert "did not provide an API key" in error["message"]


def test_strict_api_key() -> None:
    with FakeStripe(api_key="sk_test_the_one") as fake:
        for key, works in (("sk_test_the_one", True), ("sk_test_another", False)):
            client = stripe.StripeClient(
                key, base_addresses={"api": fake.url}, max_network_retries=0
            )
            try:
                client.v1.payment_intents.create(params={"amount": 100, "currency": "mad"})
            except stripe.AuthenticationError as exc:
                assert not works
                assert "sk_test_" in str(exc) and "another" not in str(exc)  # masked
            else:
                assert works


def test_global_configuration_also_works(
    fake_stripe: FakeStripe, stripe_secret_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The legacy module-level style: ``stripe.api_base`` replaces the whole base URL."""
    monkeypatch.setattr(stripe, "api_key", stripe_secret_key)
    monkeypatch.setattr(stripe, "api_base", fake_stripe.url)
    monkeypatch.setattr(stripe, "max_network_retries", 0)

    intent = stripe.PaymentIntent.create(amount=500, currency="mad")

    assert intent.id.startswith("pi_")
    assert fake_stripe.requests[-1].path == "/v1/payment_intents"


def test_update_merges_metadata_and_unknown_urls_are_404(
    stripe_client: stripe.StripeClient,
) -> None:
    intent = stripe_client.v1.payment_intents.create(params=ORDER_PARAMS)
    updated = stripe_client.v1.payment_intents.update(
        intent.id, params={"amount": 13000, "metadata": {"order_id": "", "attempt": "2"}}
    )
    assert updated.amount == 13000
    assert updated.metadata.to_dict() == {"order_number": "ST-7K3Q9X", "attempt": "2"}

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        stripe_client.v1.customers.create()
    assert excinfo.value.http_status == 404
    assert "Unrecognized request URL" in str(excinfo.value)


def test_expand_latest_charge(
    stripe_client: stripe.StripeClient, paid_intent: stripe.PaymentIntent
) -> None:
    intent = stripe_client.v1.payment_intents.retrieve(
        paid_intent.id, params={"expand": ["latest_charge"]}
    )
    assert isinstance(intent.latest_charge, stripe.Charge)
    assert intent.latest_charge.amount_captured == 12050
    assert intent.latest_charge.payment_intent == paid_intent.id


# ------------------------------------------------------------------------------ refunds


def test_refund_partial_then_rest_then_nothing_left(
    fake_stripe: FakeStripe, stripe_client: stripe.StripeClient, paid_intent: stripe.PaymentIntent
) -> None:
    assert paid_intent.status == "succeeded"
    assert isinstance(paid_intent.latest_charge, str)
    charge_id = paid_intent.latest_charge

    partial = stripe_client.v1.refunds.create(
        params={
            "payment_intent": paid_intent.id,
            "amount": 5000,
            "reason": "requested_by_customer",
            "metadata": {"refund_id": "7"},
        },
        options={"idempotency_key": "refund-7"},
    )
    assert partial.id.startswith("re_")
    assert (partial.object, partial.status, partial.amount) == ("refund", "succeeded", 5000)
    assert (partial.charge, partial.payment_intent) == (charge_id, paid_intent.id)
    assert stripe_client.v1.charges.retrieve(charge_id).amount_refunded == 5000

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        stripe_client.v1.refunds.create(params={"payment_intent": paid_intent.id, "amount": 7051})
    assert (excinfo.value.code, excinfo.value.param) == ("amount_too_large", "amount")

    rest = stripe_client.v1.refunds.create(params={"payment_intent": paid_intent.id})
    assert rest.amount == 7050  # no amount: whatever is left
    charge = stripe_client.v1.charges.retrieve(charge_id)
    assert (charge.amount_refunded, charge.refunded) == (12050, True)

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        stripe_client.v1.refunds.create(params={"payment_intent": paid_intent.id, "amount": 1})
    assert excinfo.value.code == "charge_already_refunded"  # what Stripe says once all is back

    replay = stripe_client.v1.refunds.create(
        params={
            "payment_intent": paid_intent.id,
            "amount": 5000,
            "reason": "requested_by_customer",
            "metadata": {"refund_id": "7"},
        },
        options={"idempotency_key": "refund-7"},
    )
    assert replay.id == partial.id

    event = fake_stripe.refund_event(rest.id)
    assert event["type"] == "charge.refunded"
    refunded = event["data"]["object"]
    assert (refunded["object"], refunded["id"], refunded["amount_refunded"]) == (
        "charge",
        charge_id,
        12050,
    )
    assert refunded["payment_intent"] == paid_intent.id
    assert [r["id"] for r in refunded["refunds"]["data"]] == [rest.id, partial.id]


def test_refund_of_unpaid_intent_is_refused(stripe_client: stripe.StripeClient) -> None:
    intent = stripe_client.v1.payment_intents.create(params=ORDER_PARAMS)
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        stripe_client.v1.refunds.create(params={"payment_intent": intent.id})
    assert excinfo.value.code == "payment_intent_unexpected_state"


# ------------------------------------------------------------------------------ transfers


def test_transfer_idempotent_then_reversed(
    fake_stripe: FakeStripe, stripe_client: stripe.StripeClient
) -> None:
    params: stripe.params.TransferCreateParams = {
        "amount": 250000,
        "currency": "mad",
        "destination": "acct_1CoopAzilal",
        "transfer_group": "payout-2025-06-01",
        "metadata": {"payout_id": "12"},
    }
    options: stripe.RequestOptions = {"idempotency_key": "payout-12"}
    transfer = stripe_client.v1.transfers.create(params=params, options=options)
    again = stripe_client.v1.transfers.create(params=params, options=options)

    assert transfer.id.startswith("tr_") and again.id == transfer.id
    assert (transfer.object, transfer.amount, transfer.currency) == ("transfer", 250000, "mad")
    assert transfer.destination == "acct_1CoopAzilal"
    assert transfer.metadata.to_dict() == {"payout_id": "12"}
    assert [o["object"] for o in fake_stripe._objects.values()].count("transfer") == 1

    assert stripe_client.v1.transfers.retrieve(transfer.id).id == transfer.id

    reversal = stripe_client.v1.transfers.reversals.create(transfer.id, params={"amount": 1000})
    assert reversal.id.startswith("trr_")
    assert (reversal.object, reversal.amount, reversal.transfer) == (
        "transfer_reversal",
        1000,
        transfer.id,
    )
    fetched = stripe_client.v1.transfers.retrieve(transfer.id)
    assert (fetched.amount_reversed, fetched.reversed) == (1000, False)

    event = fake_stripe.transfer_event(transfer.id, type="transfer.reversed")
    assert event["type"] == "transfer.reversed"
    assert event["data"]["object"]["amount_reversed"] == 1000

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        stripe_client.v1.transfers.create(params={**params, "destination": "FR7630006"})
    assert excinfo.value.code == "resource_missing"


# ------------------------------------------------------------------------------ faults


def test_injected_card_error_raises_card_error_once(
    fake_stripe: FakeStripe, stripe_client: stripe.StripeClient
) -> None:
    fake_stripe.fail_next("POST", "/v1/payment_intents", decline_code="insufficient_funds")

    with pytest.raises(stripe.CardError) as excinfo:
        stripe_client.v1.payment_intents.create(params=ORDER_PARAMS)
    assert excinfo.value.http_status == 402
    assert excinfo.value.code == "card_declined"
    assert excinfo.value.error is not None
    assert excinfo.value.error.decline_code == "insufficient_funds"

    assert stripe_client.v1.payment_intents.create(params=ORDER_PARAMS).id.startswith("pi_")


def test_injected_api_error_and_idempotent_retry(
    fake_stripe: FakeStripe, stripe_client: stripe.StripeClient
) -> None:
    options: stripe.RequestOptions = {"idempotency_key": "payout-13"}
    params: stripe.params.TransferCreateParams = {
        "amount": 1000,
        "currency": "mad",
        "destination": "acct_1Coop",
    }
    fake_stripe.fail_next("POST", "/v1/transfers", error_type="api_error")
    with pytest.raises(stripe.APIError) as excinfo:
        stripe_client.v1.transfers.create(params=params, options=options)
    assert excinfo.value.http_status == 500
    # Not remembered under the key: the retry with the same key goes through.
    assert stripe_client.v1.transfers.create(params=params, options=options).amount == 1000

    fake_stripe.fail_next(
        "POST", "/v1/transfers", error_type="api_error", replay_with_idempotency_key=True
    )
    other: stripe.RequestOptions = {"idempotency_key": "payout-14"}
    for _ in range(2):  # remembered: Stripe replays the failure for that key
        with pytest.raises(stripe.APIError):
            stripe_client.v1.transfers.create(params=params, options=other)


def test_lost_response_is_recovered_by_idempotency_key(
    fake_stripe: FakeStripe, stripe_client: stripe.StripeClient, stripe_secret_key: str
) -> None:
    params: stripe.params.TransferCreateParams = {
        "amount": 1000,
        "currency": "mad",
        "destination": "acct_1Coop",
    }
    options: stripe.RequestOptions = {"idempotency_key": "payout-15"}
    fake_stripe.drop_next_response("POST", "/v1/transfers")
    with pytest.raises(stripe.APIConnectionError):
        stripe_client.v1.transfers.create(params=params, options=options)
    transfer = stripe_client.v1.transfers.create(params=params, options=options)
    assert len(fake_stripe.requests_to("POST", "/v1/transfers")) == 2
    assert [o["id"] for o in fake_stripe._objects.values() if o["object"] == "transfer"] == [
        transfer.id
    ]

    # With retries on (production setting), the client recovers by itself, same key.
    retrying = stripe.StripeClient(
        stripe_secret_key, base_addresses={"api": fake_stripe.url}, max_network_retries=1
    )
    fake_stripe.drop_next_response("POST", "/v1/transfers")
    recovered = retrying.v1.transfers.create(params=params, options={"idempotency_key": "p-16"})
    assert recovered.last_response is not None
    assert recovered.last_response.headers["Idempotent-Replayed"] == "true"


# ------------------------------------------------------------------------------ payments & events


def test_succeed_and_fail_payment_events(
    fake_stripe: FakeStripe, stripe_client: stripe.StripeClient
) -> None:
    intent = stripe_client.v1.payment_intents.create(params=ORDER_PARAMS)

    failed = fake_stripe.fail_payment(intent.id, code="card_declined")
    assert failed["type"] == "payment_intent.payment_failed"
    assert failed["data"]["object"]["status"] == "requires_payment_method"
    assert failed["data"]["object"]["last_payment_error"]["code"] == "card_declined"

    succeeded = fake_stripe.succeed_payment(intent.id)
    assert succeeded["id"].startswith("evt_")
    assert (succeeded["object"], succeeded["livemode"]) == ("event", False)
    assert succeeded["api_version"] == stripe.api_version
    paid = succeeded["data"]["object"]
    assert (paid["id"], paid["status"], paid["amount_received"]) == (intent.id, "succeeded", 12050)
    assert paid["latest_charge"].startswith("ch_")
    assert paid["latest_charge"] != failed["data"]["object"]["latest_charge"]
    assert paid["metadata"]["order_number"] == "ST-7K3Q9X"

    assert stripe_client.v1.payment_intents.retrieve(intent.id).status == "succeeded"
    assert stripe_client.v1.events.retrieve(succeeded["id"]).type == "payment_intent.succeeded"
    with pytest.raises(ValueError):
        fake_stripe.succeed_payment(intent.id)


# ------------------------------------------------------------------------------ webhook signatures


def test_signature_matches_stripes_own_and_is_accepted(
    fake_stripe: FakeStripe, stripe_client: stripe.StripeClient, stripe_webhook_secret: str
) -> None:
    intent = stripe_client.v1.payment_intents.create(params=ORDER_PARAMS)
    payload, headers = signed_webhook(fake_stripe.succeed_payment(intent.id), stripe_webhook_secret)

    timestamp = int(headers["Stripe-Signature"].split(",")[0].removeprefix("t="))
    assert headers["Stripe-Signature"] == stripe.WebhookSignature.generate_signature_header(
        payload.decode(), stripe_webhook_secret, timestamp
    )

    event = stripe.Webhook.construct_event(
        payload, headers["Stripe-Signature"], stripe_webhook_secret, tolerance=300
    )
    assert isinstance(event, stripe.Event)
    assert event.type == "payment_intent.succeeded"
    assert event.data.object["id"] == intent.id

    via_client = stripe_client.construct_event(
        payload.decode(), headers["Stripe-Signature"], stripe_webhook_secret
    )
    assert via_client.id == event.id


def test_bad_signatures_are_rejected(stripe_webhook_secret: str) -> None:
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "charge.refunded"}).encode()

    tampered = payload.replace(b"charge.refunded", b"charge.succeeded")
    wrong_secret = sign(payload, "whsec_test_someone_else")
    too_old = sign(payload, stripe_webhook_secret, timestamp=int(time.time()) - 301)
    for body, header in (
        (tampered, sign(payload, stripe_webhook_secret)),
        (payload, wrong_secret),
        (payload, too_old),
        (payload, "v1=deadbeef"),
    ):
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(body, header, stripe_webhook_secret, tolerance=300)


# ------------------------------------------------------------------------------ plumbing


def test_parse_form_nested_keys() -> None:
    assert parse_form(
        [
            ("metadata[order_number]", "ST-1"),
            ("metadata[0]", "kept as a key"),
            ("automatic_payment_methods[enabled]", "true"),
            ("expand[0]", "latest_charge"),
            ("expand[1]", "customer"),
            ("payment_method_types[]", "card"),
            ("amount", "100"),
        ]
    ) == {
        "metadata": {"order_number": "ST-1", "0": "kept as a key"},
        "automatic_payment_methods": {"enabled": "true"},
        "expand": ["latest_charge", "customer"],
        "payment_method_types": ["card"],
        "amount": "100",
    }


def test_usable_outside_pytest_fixtures() -> None:
    with FakeStripe() as fake:
        assert fake.url.startswith("http://127.0.0.1:")
        client = stripe.StripeClient(
            "sk_test_123", base_addresses={"api": fake.url}, max_network_retries=0
        )
        intent = client.v1.payment_intents.create(params={"amount": 100, "currency": "mad"})
        assert fake.get(intent.id)["amount"] == 100
    with pytest.raises(stripe.APIConnectionError):
        client.v1.payment_intents.retrieve(intent.id)
