"""Failed logins are limited per (account, address) pair (LOGIN_RATE_LIMIT, 5 a minute, 30 an
hour), per address (100 an hour) and per account over all addresses (100 an hour): strangers
cannot lock the rightful person out by failing from a few addresses."""

from __future__ import annotations

from support.factories import PASSWORD, UserFactory, csrf_from

WRONG = "wrong-password-123"


def api_login(client, email, password=WRONG, address="127.0.0.1"):
    return client.post(
        "/api/v1/auth/token",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def page_login(client, email, password=WRONG, address="127.0.0.1"):
    return client.post(
        "/login",
        data={"csrf_token": csrf_from(client, "/login"), "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_after_five_failures_for_an_account_from_an_address_even_the_right_password_is_refused(
    client,
):
    UserFactory(email="youssef@example.ma")
    for _ in range(5):
        assert api_login(client, "youssef@example.ma").status_code == 401

    response = api_login(client, "youssef@example.ma", PASSWORD)

    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_five_wrong_passwords_from_five_addresses_do_not_lock_the_rightful_user_out(client):
    UserFactory(email="youssef@example.ma")
    for attempt in range(5):
        assert (
            api_login(client, "youssef@example.ma", address=f"10.0.0.{attempt}").status_code == 401
        )

    assert api_login(client, "youssef@example.ma", PASSWORD, address="10.0.1.1").status_code == 200
    assert page_login(client, "youssef@example.ma", PASSWORD, address="10.0.1.2").status_code == 302


def test_the_pair_limit_follows_the_email_across_letter_case(client):
    UserFactory(email="youssef@example.ma")
    for _ in range(5):
        api_login(client, "Youssef@Example.ma")

    assert api_login(client, "YOUSSEF@example.ma", PASSWORD).status_code == 429
    assert api_login(client, "youssef@example.ma", PASSWORD, address="10.9.9.9").status_code == 200


def test_the_pair_limit_allows_thirty_failures_an_hour(app, client):
    assert app.config["LOGIN_RATE_LIMIT"] == "5 per minute;30 per hour"


def test_a_few_typos_on_a_shared_wifi_lock_nobody_out(client):
    """A fair's Wi-Fi: many people behind one address, each mistyping once or twice."""
    UserFactory(email="youssef@example.ma")
    for person in range(12):
        for _ in range(2):
            assert api_login(client, f"visitor{person}@example.ma").status_code == 401

    assert api_login(client, "youssef@example.ma", PASSWORD).status_code == 200


def test_the_address_limit_stops_guessing_across_many_accounts(app, client, monkeypatch):
    assert app.config["LOGIN_ADDRESS_RATE_LIMIT"] == "100 per hour"
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_RATE_LIMIT", "6 per hour")
    UserFactory(email="victim@example.ma")
    for attempt in range(6):
        assert api_login(client, f"guess{attempt}@example.ma").status_code == 401

    assert api_login(client, "victim@example.ma", PASSWORD).status_code == 429
    # Someone else, from another address, is not affected.
    assert api_login(client, "victim@example.ma", PASSWORD, address="10.9.9.9").status_code == 200


def test_the_account_limit_stops_a_guess_spread_over_many_addresses(app, client, monkeypatch):
    assert app.config["LOGIN_ACCOUNT_RATE_LIMIT"] == "100 per hour"
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "8 per hour")
    UserFactory(email="victim@example.ma")
    for attempt in range(8):
        assert (
            api_login(client, "victim@example.ma", address=f"10.0.0.{attempt}").status_code == 401
        )

    assert api_login(client, "victim@example.ma", PASSWORD, address="10.0.1.1").status_code == 429
    assert api_login(client, "other@example.ma", address="10.0.1.1").status_code == 401


def test_successful_logins_and_malformed_requests_do_not_count(client):
    UserFactory(email="youssef@example.ma")
    for _ in range(3):
        assert api_login(client, "youssef@example.ma", PASSWORD).status_code == 200
        assert client.post("/api/v1/auth/token", json={"email": "x"}).status_code == 422

    for _ in range(4):
        assert api_login(client, "youssef@example.ma").status_code == 401
    assert api_login(client, "youssef@example.ma", PASSWORD).status_code == 200


def test_login_page_and_api_share_the_same_counters(client):
    UserFactory(email="youssef@example.ma")
    for _ in range(3):
        assert page_login(client, "youssef@example.ma").status_code == 422
    for _ in range(2):
        assert api_login(client, "youssef@example.ma").status_code == 401

    assert api_login(client, "youssef@example.ma", PASSWORD).status_code == 429


def test_rate_limited_login_page_is_re_rendered_with_a_message(client):
    UserFactory(email="youssef@example.ma")
    for _ in range(5):
        page_login(client, "youssef@example.ma")

    response = page_login(client, "youssef@example.ma", PASSWORD)

    assert response.status_code == 429
    assert "text/html" in response.content_type
    html = response.get_data(as_text=True)
    assert "Too many failed login attempts" in html
    assert 'name="email"' in html
    assert "Retry-After" in response.headers
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_viewing_the_login_page_is_never_limited(client):
    for _ in range(5):
        page_login(client, "youssef@example.ma")

    assert client.get("/login").status_code == 200


def test_the_pair_limit_comes_from_the_configuration(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    UserFactory(email="youssef@example.ma")
    for _ in range(2):
        api_login(client, "youssef@example.ma")

    assert api_login(client, "youssef@example.ma", PASSWORD).status_code == 429
