"""Errors of the whole site: the words of each status, our HTML error page, the JSON error.

Werkzeug's descriptions ("The requested URL was not found on the server...") are English
only, and some extensions put their own English in them (Flask-WTF's CSRF reasons,
Flask-Limiter's limits): pages and API messages say ours instead.

The app-wide handlers (``register_error_handlers``) answer HTTP errors, domain errors
and anything unexpected: a page of ours for HTML, and under /api and /webhooks one JSON
shape, ``{"error": {"code", "message", "fields"}}`` (never a 500 page for bad input and
never HTML). Request validation errors carry webargs' messages, flattened to field names.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from app.core.errors import DomainError

#: Status -> (title, what happened and what to do).
ERROR_WORDS = {
    400: (
        _l("This request could not be handled"),
        _l("What the browser sent could not be read. Go back and try again."),
    ),
    401: (_l("Please log in"), _l("Log in to see this page.")),
    403: (_l("Not allowed"), _l("Your account may not open this page.")),
    404: (
        _l("Page not found"),
        _l("There is no page at this address: it may have moved, or the link is mistyped."),
    ),
    405: (
        _l("This request could not be handled"),
        _l("This page cannot be used that way. Go back and use its links and buttons."),
    ),
    409: (
        _l("This request could not be handled"),
        _l("This was changed in the meantime. Reload the page and try again."),
    ),
    413: (
        _l("Too large"),
        _l("What was sent is too large. Send a smaller file (a photo of at most 5 MB)."),
    ),
    415: (
        _l("This request could not be handled"),
        _l("This kind of file or content is not accepted here."),
    ),
    422: (
        _l("This request could not be handled"),
        _l("Some of what was sent is not valid. Go back, correct it and try again."),
    ),
    429: (
        _l("Too many requests"),
        _l("Too many requests in a short time. Wait a moment, then try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An error on our side stopped this page. Try again in a moment."),
    ),
    503: (
        _l("Something went wrong"),
        _l("The marketplace is unavailable for a moment. Try again in a few minutes."),
    ),
}
CSRF_DESCRIPTION = _l(
    "This form has expired or was not sent from our site. Reload it and try again."
)


def error_title(status: int) -> str:
    """The page's heading for ``status`` (any 4xx or 5xx, known or not)."""
    return str(_words(status)[0])


def error_description(status: int) -> str:
    """What a reader is told about ``status`` when nothing more precise is known."""
    return str(_words(status)[1])


def _words(status: int) -> tuple:
    """The title and description of ``status``, or of 400/500 for one not listed."""
    return ERROR_WORDS.get(status, ERROR_WORDS[500 if status >= 500 else 400])


def http_error_description(error: HTTPException) -> str:
    """Ours for an HTTP error: never Werkzeug's or an extension's English."""
    if isinstance(error, CSRFError):
        return str(CSRF_DESCRIPTION)
    return error_description(error.code or 500)


#: Stable codes for plain HTTP errors.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}

JSON_PREFIXES = ("/api/", "/webhooks/")


def error_response(
    status: int, code: str, message: str, fields: dict | None = None, headers: dict | None = None
) -> Response:
    body: dict = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify(error=body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)


def _flatten_fields(messages: dict) -> dict[str, list[str]]:
    """webargs nests errors by location ({"json": {"price": [...]}}); clients want field names."""
    fields: dict[str, list[str]] = {}
    for location_or_field, value in messages.items():
        if location_or_field in {
            "json",
            "query",
            "form",
            "files",
            "view_args",
            "headers",
        } and isinstance(value, dict):
            fields.update(_flatten_fields(value))
        elif isinstance(value, dict):
            for sub, sub_value in _flatten_fields(value).items():
                fields[f"{location_or_field}.{sub}"] = sub_value
        else:
            fields[str(location_or_field)] = [
                _translated(m) for m in (value if isinstance(value, list) else [value])
            ]
    return fields


def _translated(message: object) -> str:
    """Messages nobody formats ("Unknown field.", webargs' "Invalid JSON body.") are still
    English here (app.core.library_messages); one already translated comes back as it is."""
    return _(message) if isinstance(message, str) else str(message)


def _allow_header(error: HTTPException) -> dict[str, str]:
    """A 405 names the methods the URL does take (RFC 9110), on pages and API alike."""
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        return {"Allow": ", ".join(sorted(error.valid_methods))}
    return {}


def handle_http_exception(error: HTTPException):
    if not wants_json():
        page = render_html_error(error.code or 500, http_error_description(error), error)
        allow = _allow_header(error)
        return (*page, allow) if allow and isinstance(page, tuple) else page
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    headers = {**dict(data.get("headers") or {}), **_allow_header(error)}
    if error.response is not None and status == 429:
        headers.update(
            {
                k: v
                for k, v in error.response.headers.items()
                if k.lower().startswith(("retry", "x-ratelimit"))
            }
        )
    if status == 422 and messages:
        return error_response(
            422,
            "validation_error",
            _("Some fields are not valid."),
            _flatten_fields(messages),
            headers,
        )
    if status == 400 and messages:
        return error_response(
            400, "bad_request", _("The request is malformed."), _flatten_fields(messages), headers
        )
    # flask-smorest's abort(message=...) carries our own (translated) words.
    message = data.get("message") or http_error_description(error)
    return error_response(status, HTTP_CODES.get(status, "error"), str(message), None, headers)


def handle_domain_error(error: DomainError):
    if not wants_json():
        return render_html_error(error.status, error.message)
    return error_response(error.status, error.code, error.message, error.fields or None)


def handle_unexpected(error: Exception):
    if not wants_json():
        raise error
    current_app.logger.exception("unhandled error on %s", request.path)
    return error_response(500, "internal_error", error_description(500))


def render_html_error(status: int, message: str | None, error: HTTPException | None = None):
    """HTML pages get a page of ours for 4xx/5xx; redirects raised as exceptions pass through."""
    if error is not None and status < 400:
        return error
    return render_template(
        "error.html", status=status, title=error_title(status), message=message
    ), status


def register_error_handlers(app: Flask) -> None:
    """Every error of every page and answer: ours in HTML, or JSON under /api and /webhooks."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
