"""One error shape for the whole API: {"error": {"code", "message", "fields"}}.

Never a 500 page for bad input and never HTML under /api: HTTP errors, domain
errors and request validation errors are all rendered here.
"""

from __future__ import annotations

import marshmallow as ma
from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.core.errors import DomainError
from app.error_pages import error_description, error_title, http_error_description

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


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "out_of_stock"})
    message = ma.fields.String(required=True)
    fields = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "each bad field and its messages"},
    )


class ErrorSchema(ma.Schema):
    """What every error under /api looks like; documented as each operation's error answer."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)


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
    English here (app.i18n_validation); one already translated comes back as it is."""
    return _(message) if isinstance(message, str) else str(message)


def handle_http_exception(error: HTTPException):
    if not wants_json():
        return render_html_error(error.code or 500, http_error_description(error), error)
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    headers = dict(data.get("headers") or {})
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
    from flask import current_app

    current_app.logger.exception("unhandled error on %s", request.path)
    return error_response(500, "internal_error", error_description(500))


def render_html_error(status: int, message: str | None, error: HTTPException | None = None):
    """HTML pages get a page of ours for 4xx/5xx; redirects raised as exceptions pass through."""
    if error is not None and status < 400:
        return error
    return render_template(
        "error.html", status=status, title=error_title(status), message=message
    ), status


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
