"""Accounts over the API: register, trade credentials for a bearer token, and who am I.

Failed token requests count against the same per-account and per-address
limits as the login page (app.accounts.throttling); a 429 carries Retry-After.
"""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from app.accounts import services
from app.accounts.errors import InvalidCredentials
from app.accounts.passwords import MIN_PASSWORD_LENGTH
from app.accounts.throttling import count_failed_login, limit_failed_logins
from app.accounts.validation import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH
from app.api.common import BaseSchema
from app.api.security import bearer_token
from app.cooperatives.models import Membership
from app.extensions import db

blp = Blueprint("auth", __name__, description="Accounts and bearer tokens")

BEARER_OR_COOKIE = [{"bearerAuth": []}, {"cookieAuth": []}]


class RegistrationSchema(BaseSchema):
    email = ma.fields.String(
        required=True,
        metadata={"format": "email", "maxLength": MAX_EMAIL_LENGTH, "example": "fatima@example.ma"},
    )
    password = ma.fields.String(
        required=True, load_only=True, metadata={"minLength": MIN_PASSWORD_LENGTH}
    )
    name = ma.fields.String(
        required=True, metadata={"maxLength": MAX_NAME_LENGTH, "example": "Fatima Zahra"}
    )


class CredentialsSchema(BaseSchema):
    email = ma.fields.String(required=True, metadata={"format": "email"})
    password = ma.fields.String(required=True, load_only=True)


class AuthTokenSchema(BaseSchema):
    token = ma.fields.String(
        required=True, metadata={"description": "send as `Authorization: Bearer <token>`"}
    )


class AccountSchema(BaseSchema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    roles = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(["shopper", "admin"])), required=True
    )


class MemberOfSchema(BaseSchema):
    id = ma.fields.Integer(required=True, metadata={"description": "the cooperative's id"})
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(["owner", "staff"]))


class MeSchema(AccountSchema):
    cooperatives = ma.fields.List(ma.fields.Nested(MemberOfSchema), required=True)


@blp.route("/auth/register", methods=["POST"])
@blp.arguments(RegistrationSchema)
@blp.response(201, AccountSchema)
@blp.alt_response(409, description="An account with this email exists (code `email_taken`).")
def register(registration: dict):
    """Open a shopper account. The email is compared case-insensitively and stored lower-cased."""
    return services.register(registration["email"], registration["password"], registration["name"])


@blp.route("/auth/token")
class Token(MethodView):
    @blp.arguments(CredentialsSchema)
    @blp.response(200, AuthTokenSchema)
    @blp.alt_response(401, description="Wrong email or password (code `invalid_credentials`).")
    @blp.alt_response(
        429,
        description="Too many failed logins for this account or from this address.",
        headers={"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
    )
    @limit_failed_logins
    def post(self, credentials: dict):
        """Trade an email and password for a new bearer token (shown once)."""
        try:
            token = services.issue_token_for_credentials(
                credentials["email"], credentials["password"]
            )
        except InvalidCredentials:
            count_failed_login()
            raise
        return {"token": token}

    @blp.doc(security=[{"bearerAuth": []}])
    @blp.response(204)
    @blp.alt_response(401, description="No bearer token, or an unknown or revoked one.")
    def delete(self):
        """Revoke the bearer token this request is sent with (log out an API client)."""
        token = bearer_token()
        if token is None:
            abort(401, message=gettext("Send the bearer token to revoke."))
        services.revoke_token(token)


@blp.route("/me")
@blp.doc(security=BEARER_OR_COOKIE)
@blp.response(200, MeSchema)
@blp.alt_response(401, description="Not logged in and no valid bearer token.")
@login_required
def me():
    """The caller's account, roles, and the cooperatives they belong to with their role."""
    memberships = db.session.execute(
        select(Membership.cooperative_id, Membership.role)
        .where(Membership.user_id == current_user.id)
        .order_by(Membership.cooperative_id)
    )
    return {
        "id": current_user.id,
        "email": current_user.email,
        "name": current_user.name,
        "roles": current_user.roles,
        "cooperatives": [{"id": row.cooperative_id, "role": row.role} for row in memberships],
    }
