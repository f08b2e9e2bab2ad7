"""How API requests authenticate: bearer tokens, or the browser's cookies.

A bearer request needs no CSRF token (a browser never sends it on its own). A
state-changing request authenticated by a cookie, the session's or the
remember-me one alike (Flask-Login logs a user in from either), must carry the
CSRF token in the X-CSRFToken header (400 otherwise) and a JSON body (415
otherwise; multipart for the upload endpoints; a write with no body at all, such
as a DELETE, needs only the header): a cross-site form can send neither. A bad
bearer token is a 401, never anonymous. Someone who must log in first gets a
JSON 401 under /api and is sent to the login page elsewhere.
"""

from __future__ import annotations

from flask import Flask, flash, g, redirect, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from app.extensions import login_manager
from app.web.errors import error_response, wants_json

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: The header that carries the CSRF token of a cookie-authenticated API write.
CSRF_HEADER = "X-CSRFToken"
#: Endpoints whose body is a file upload (multipart/form-data) rather than JSON.
MULTIPART_ENDPOINTS = frozenset({"api_catalog.upload_product_image"})


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
        # The token names who is calling, even when the browser also sent a
        # session or remember-me cookie of someone else (Flask-Login's current_user).
        g._login_user = user
        return None
    if request.method not in SAFE_METHODS and current_user.is_authenticated:
        return _refused_cookie_write()
    return None


def _refused_cookie_write():
    """The error answer for a cookie-authenticated write without the CSRF header or a JSON
    body, or None when it may go through."""
    try:
        validate_csrf(request.headers.get(CSRF_HEADER))
    except ValidationError:
        return error_response(
            400,
            "csrf_failed",
            gettext("Send the page's CSRF token in the X-CSRFToken header, or use a bearer token."),
        )
    expected = (
        "multipart/form-data" if request.endpoint in MULTIPART_ENDPOINTS else "application/json"
    )
    has_body = bool(request.content_length) or bool(request.mimetype)
    if has_body and request.mimetype != expected:
        return error_response(
            415,
            "unsupported_media_type",
            gettext("Send the request body as %(type)s.", type=expected),
        )
    return None


def load_user_from_token(_request):
    """Flask-Login's request loader: the user a valid bearer token named, if any."""
    return g.get("token_user")


def unauthorized():
    """Someone not logged in asked for a page or endpoint that needs it.

    The API answers a JSON 401; a page sends the browser to the login page,
    which brings it back here (same-site path only) once logged in.
    """
    if wants_json():
        return error_response(401, "unauthorized", gettext("Log in or send a bearer token."))
    from app.core.redirects import safe_next

    flash(str(login_manager.login_message), login_manager.login_message_category)
    back = request.full_path if request.query_string else request.path
    return redirect(url_for(login_manager.login_view, next=safe_next(back)))


def register(app: Flask) -> None:
    app.before_request(authenticate_api_request)
    login_manager.request_loader(load_user_from_token)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.unauthorized_handler(unauthorized)
