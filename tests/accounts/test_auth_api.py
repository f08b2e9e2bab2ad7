from __future__ import annotations

from sqlalchemy import func, select
from support.factories import (
    PASSWORD,
    AdminFactory,
    MembershipFactory,
    UserFactory,
    issue_token,
    login_as,
)

from app.accounts import services
from app.accounts.models import User
from app.extensions import db

GOOD_PASSWORD = "argan-oil-from-azilal"


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_register_answers_201_with_the_account(client):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "Fatima@Example.MA", "password": GOOD_PASSWORD, "name": "Fatima"},
    )

    assert response.status_code == 201
    body = response.get_json()
    user = db.session.scalar(select(User))
    assert body == {
        "id": user.id,
        "email": "fatima@example.ma",
        "name": "Fatima",
        "roles": ["shopper"],
    }
    assert user.password_hash.startswith("$argon2id$")


def test_register_answers_409_for_an_email_taken_in_another_case(client):
    UserFactory(email="fatima@example.ma")

    response = client.post(
        "/api/v1/auth/register",
        json={"email": "FATIMA@example.ma", "password": GOOD_PASSWORD, "name": "Fatima"},
    )

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "email_taken"
    assert count_users() == 1


def test_register_answers_422_naming_each_bad_field(client):
    response = client.post(
        "/api/v1/auth/register", json={"email": "nope", "password": "short", "name": ""}
    )

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"email", "password", "name"}
    assert count_users() == 0


def test_register_answers_422_for_missing_wrongly_typed_or_unknown_fields(client):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": 12, "name": "Fatima", "role": "admin"},
    )

    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"email", "password", "role"}
    assert count_users() == 0


def test_register_answers_json_for_a_body_that_is_not_json(client):
    response = client.post("/api/v1/auth/register", data="email=x", content_type="application/json")

    assert 400 <= response.status_code < 500
    assert response.is_json
    assert "error" in response.get_json()


def test_token_answers_200_with_a_token_that_works_as_bearer(client):
    user = UserFactory(email="youssef@example.ma")

    response = client.post(
        "/api/v1/auth/token", json={"email": "YOUSSEF@example.ma", "password": PASSWORD}
    )

    assert response.status_code == 200
    token = response.get_json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.get_json()["id"] == user.id


def test_token_answers_401_for_bad_credentials(client):
    UserFactory(email="youssef@example.ma")

    for credentials in (
        {"email": "youssef@example.ma", "password": "wrong-password"},
        {"email": "nobody@example.ma", "password": PASSWORD},
    ):
        response = client.post("/api/v1/auth/token", json=credentials)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_token_answers_422_without_a_password(client):
    response = client.post("/api/v1/auth/token", json={"email": "youssef@example.ma"})

    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["password"]


def test_me_with_a_bearer_token_lists_roles_and_cooperatives(client, api_token):
    staff = MembershipFactory(role="staff")
    owner_of_second = MembershipFactory(user=staff.user, role="owner")
    MembershipFactory()  # someone else's cooperative

    response = client.get("/api/v1/me", headers=api_token(staff.user))

    assert response.status_code == 200
    assert response.get_json() == {
        "id": staff.user.id,
        "email": staff.user.email,
        "name": staff.user.name,
        "roles": ["shopper"],
        "cooperatives": sorted(
            [
                {"id": staff.cooperative_id, "role": "staff"},
                {"id": owner_of_second.cooperative_id, "role": "owner"},
            ],
            key=lambda membership: membership["id"],
        ),
        "email_verified": True,
    }


def test_me_with_the_session_cookie_works_too(client):
    admin = AdminFactory()
    login_as(client, admin)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.get_json()["roles"] == ["admin"]
    assert response.get_json()["cooperatives"] == []


def test_me_without_credentials_answers_json_401(client):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_me_with_an_unknown_or_revoked_token_answers_401(client):
    user = UserFactory()
    token = issue_token(user)
    services.revoke_token(token)

    for header in (f"Bearer {token}", "Bearer made-up-token", "Basic dXNlcjpwdw=="):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_bearer_token_names_the_caller_even_beside_another_users_cookie(client, api_token):
    cookie_user, token_user = UserFactory(), UserFactory()
    login_as(client, cookie_user)

    response = client.get("/api/v1/me", headers=api_token(token_user))

    assert response.get_json()["id"] == token_user.id


def test_delete_token_revokes_the_token_it_is_sent_with(client, api_token):
    headers = api_token(UserFactory())

    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_delete_token_without_a_bearer_token_answers_401(client):
    response = client.delete("/api/v1/auth/token")

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_cookie_authenticated_post_without_csrf_token_is_refused(client, shopper):
    login_as(client, shopper)

    response = client.post(
        "/api/v1/auth/register",
        json={"email": "second@example.ma", "password": GOOD_PASSWORD, "name": "Second"},
    )

    assert response.status_code == 400
    assert response.is_json
    assert count_users() == 1


def test_openapi_document_describes_the_auth_endpoints_and_bearer_security(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    paths = spec["paths"]
    assert {"post"} <= set(paths["/api/v1/auth/register"])
    assert {"post", "delete"} <= set(paths["/api/v1/auth/token"])
    assert paths["/api/v1/me"]["get"]["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
    assert {"200", "401", "429"} <= set(paths["/api/v1/auth/token"]["post"]["responses"])
    schemas = spec["components"]["schemas"]
    registration = schemas["Registration"]
    assert set(registration["required"]) == {"email", "password", "name"}
    assert registration["properties"]["password"]["minLength"] == 10
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_openapi_document_describes_password_reset_revocation_and_email_verified(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths, schemas = spec["paths"], spec["components"]["schemas"]

    reset = paths["/api/v1/auth/password-reset"]["post"]
    confirm = paths["/api/v1/auth/password-reset/confirm"]["post"]
    assert {"202", "422", "429"} <= set(reset["responses"])
    assert {"200", "400", "422"} <= set(confirm["responses"])
    assert set(schemas["PasswordReset"]["required"]) == {"token", "password"}
    assert schemas["PasswordReset"]["properties"]["password"]["maxLength"] == 256
    assert {"204", "401"} <= set(paths["/api/v1/auth/token"]["delete"]["responses"])
    assert "429" in paths["/api/v1/auth/register"]["post"]["responses"]
    assert "email_verified" in schemas["Me"]["required"]
