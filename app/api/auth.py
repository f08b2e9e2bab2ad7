"""Accounts over the API: register, trade credentials for a bearer token (and revoke it),
reset a forgotten password, and who am I.

Failed token requests count against the same login limits as the login page, and
registrations and reset requests against the same per-address limits as the pages
(app.accounts.throttling); a 429 carries Retry-After.
"""

from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from app.accounts import services
from app.accounts.errors import InvalidCredentials
from app.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.accounts.throttling import (
    count_failed_login,
    limit_failed_logins,
    limit_registrations,
    limit_reset_requests,
)
from app.accounts.validation import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH
from app.accounts.views import reset_link, verify_link
from app.api.common import BaseSchema
from app.api.security import bearer_token
from app.cooperatives.models import Membership
from app.core.names import no_bidi_controls
from app.extensions import db

blp = Blueprint("auth", __name__, description="Accounts and bearer tokens")

BEARER_OR_COOKIE = [{"bearerAuth": []}, {"cookieAuth": []}]


class RegistrationSchema(BaseSchema):
    email = ma.fields.String(
        required=True,
        metadata={"format": "email", "maxLength": MAX_EMAIL_LENGTH, "example": "fatima@example.ma"},
    )
    password = ma.fields.String(
        required=True,
        load_only=True,
        metadata={"minLength": MIN_PASSWORD_LENGTH, "maxLength": MAX_PASSWORD_LENGTH},
    )
    name = ma.fields.String(
        required=True,
        validate=no_bidi_controls,
        metadata={"maxLength": MAX_NAME_LENGTH, "example": "Fatima Zahra"},
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
    email_verified = ma.fields.Boolean(
        required=True, metadata={"description": "the address was confirmed by an e-mailed link"}
    )


class PasswordResetRequestSchema(BaseSchema):
    email = ma.fields.String(
        required=True,
        metadata={
            "description": "any text: the answer is 202 whether or not it is an account's "
            "address, or an address at all (nothing is revealed)"
        },
    )


class PasswordResetSchema(BaseSchema):
    token = ma.fields.String(
        required=True,
        metadata={"description": "from the link e-mailed by POST /auth/password-reset"},
    )
    password = ma.fields.String(
        required=True,
        load_only=True,
        metadata={"minLength": MIN_PASSWORD_LENGTH, "maxLength": MAX_PASSWORD_LENGTH},
    )


@blp.route("/auth/register", methods=["POST"])
@blp.arguments(RegistrationSchema)
@blp.response(201, AccountSchema)
@blp.alt_response(409, description="An account with this email exists (code `email_taken`).")
@blp.alt_response(
    429,
    description="Too many registrations from this address (10 an hour).",
    headers={"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
)
@limit_registrations
def register(registration: dict):
    """Open a shopper account and e-mail it a link that confirms the address. The email is
    compared case-insensitively (and NFKC-normalised) and stored so."""
    return services.register(
        registration["email"],
        registration["password"],
        registration["name"],
        verify_link=verify_link,
    )


@blp.route("/auth/password-reset", methods=["POST"])
@blp.arguments(PasswordResetRequestSchema)
@blp.response(202)
@blp.alt_response(
    429,
    description="Too many reset requests from this address.",
    headers={"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
)
@limit_reset_requests
def request_password_reset(body: dict):
    """E-mail a single-use link, valid one hour, that sets a new password. Always 202: the
    answer does not say whether the email has an account."""
    services.request_password_reset(body["email"], link_for=reset_link)
    return Response(status=202)


@blp.route("/auth/password-reset/confirm", methods=["POST"])
@blp.arguments(PasswordResetSchema)
@blp.response(200, AccountSchema)
@blp.alt_response(400, description="A used, expired or forged token (code `invalid_token`).")
def confirm_password_reset(body: dict):
    """Set a new password with the e-mailed token; every session, remember-me cookie and API
    token of the account ends."""
    return services.reset_password(body["token"], body["password"])


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
        "email_verified": current_user.email_verified,
    }
