"""How API requests authenticate: bearer tokens, or the browser's session cookie.

A bearer request needs no CSRF token (a browser never sends it on its own); a
state-changing request authenticated by the session cookie must carry the CSRF
token, exactly like a form. A bad bearer token is a 401, never anonymous.
"""

from __future__ import annotations

from flask import Flask, g, request, session

from app.api.errors import error_response
from app.extensions import csrf, login_manager

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate_api_request():
    """Before every /api request: check a bearer token if one is sent, CSRF for cookie writes."""
    if not request.path.startswith("/api/"):
        return None
    if "Authorization" in request.headers:
        from app.accounts.services import user_for_token

        token = bearer_token()
        user = user_for_token(token) if token else None
        if user is None:
            return error_response(
                401, "unauthorized", "The bearer token is missing, unknown or revoked."
            )
        g.token_user = user
        return None
    if request.method not in SAFE_METHODS and session.get("_user_id"):
        csrf.protect()
    return None


def load_user_from_token(_request):
    """Flask-Login's request loader: the user a valid bearer token named, if any."""
    return g.get("token_user")


def register(app: Flask) -> None:
    app.before_request(authenticate_api_request)
    login_manager.request_loader(load_user_from_token)
