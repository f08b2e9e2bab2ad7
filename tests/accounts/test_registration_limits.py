"""Registration keeps its 409 for a taken e-mail (shared/API.md) but is limited to 10 an hour
per address, on the API and the page together, so it cannot sweep a list of addresses."""

from __future__ import annotations

from sqlalchemy import func, select
from support.factories import UserFactory, csrf_from

from app.accounts.models import User
from app.extensions import db

GOOD_PASSWORD = "argan-oil-from-azilal"


def api_register(client, email: str, address: str = "127.0.0.1"):
    return client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": GOOD_PASSWORD, "name": "Fatima"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_a_taken_email_still_answers_409(client):
    UserFactory(email="fatima@example.ma")

    assert api_register(client, "fatima@example.ma").status_code == 409


def test_the_eleventh_registration_from_one_address_in_an_hour_answers_429(app, client):
    assert app.config["REGISTRATION_RATE_LIMIT"] == "10 per hour"
    UserFactory(email="taken@example.ma")
    answers = [api_register(client, f"sweep{n}@example.ma").status_code for n in range(9)]
    answers.append(api_register(client, "taken@example.ma").status_code)

    refused = api_register(client, "victim@example.ma")

    assert answers == [201] * 9 + [409]
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) > 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 10
    # Another address is not affected.
    assert api_register(client, "victim@example.ma", address="10.1.1.1").status_code == 201


def test_the_page_and_the_api_share_the_count(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_RATE_LIMIT", "2 per hour")
    assert api_register(client, "one@example.ma").status_code == 201
    token = csrf_from(client, "/register")
    page = {
        "csrf_token": token,
        "name": "Fatima",
        "password": GOOD_PASSWORD,
        "confirm": GOOD_PASSWORD,
    }
    assert client.post("/register", data={**page, "email": "two@example.ma"}).status_code == 302

    refused = client.post("/register", data={**page, "email": "three@example.ma"})

    assert refused.status_code == 429
    assert "Too many accounts were opened from this address" in refused.text
    assert 'name="email"' in refused.text
    assert client.get("/register").status_code == 200  # reading the page is never limited
