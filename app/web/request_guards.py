"""What every request goes through before any view, extension or credential check.

- A request the URL map cannot route is answered first, as the URL map says (404, or 405
  with ``Allow``), before credentials or CSRF are looked at: a TRACE is a 405, not a 401.
- A JSON body is read once here, so that no parser deeper down meets what it cannot
  handle: nested deeper than ``MAX_JSON_DEPTH``, not JSON at all, or holding a lone
  surrogate (which no database can store) is malformed (400); a number of more than
  ``MAX_NUMBER_DIGITS`` digits is beyond any field of ours (422). The Stripe webhook is
  left to its signature check, which refuses anything Stripe did not send.
- Text with a NUL character, in the query, a form or a JSON body, is refused (422, naming
  the field): PostgreSQL cannot store or even compare it.
"""

from __future__ import annotations

import json

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, UnprocessableEntity

#: Deepest nesting of arrays and objects a body may have (ours nest 3 deep at most).
MAX_JSON_DEPTH = 32
#: Longest integer a body may hold, in digits: far below Python's own limit (4,300), past
#: which converting digits raises; shorter ones reach the schemas, whose ranges name the field.
MAX_NUMBER_DIGITS = 1000
#: Bodies whose signature is checked on the raw bytes before they are read.
SIGNED_PREFIXES = ("/webhooks/",)


class _NumberTooLong(ValueError):
    pass


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _NumberTooLong(text[:20])
    return int(text)


def _malformed(message: str) -> BadRequest:
    """A 400 shaped as webargs shapes its own (the message under ``json``)."""
    error = BadRequest()
    error.data = {"message": message, "messages": {"json": [message]}}  # type: ignore[attr-defined]
    return error


def check_json_body(body: bytes) -> None:
    """Raise ``BadRequest`` (400) unless ``body`` is JSON that our parsers can take, and
    ``UnprocessableEntity`` (422) for a number with too many digits."""
    try:
        document = json.loads(body, parse_int=_integer)
    except _NumberTooLong:
        error = UnprocessableEntity()
        error.data = {"message": _("A number in the request has too many digits.")}  # type: ignore[attr-defined]
        raise error
    except RecursionError:
        raise _malformed(_("The JSON body is nested too deeply."))
    except ValueError:  # JSONDecodeError, and bytes that are not UTF-8
        raise _malformed(_("Invalid JSON body."))
    _check_values(document)


def _check_values(document: object) -> None:
    """Walk the parsed body without recursion: depth, and strings every database can store.

    A NUL is reported under the top-level field that holds it."""
    pending: list[tuple[object, int, str]] = [(document, 1, "")]
    while pending:
        value, depth, field = pending.pop()
        if isinstance(value, dict | list) and depth > MAX_JSON_DEPTH:
            raise _malformed(_("The JSON body is nested too deeply."))
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, field or key)
                pending.append((item, depth + 1, field or key))
        elif isinstance(value, list):
            pending.extend((item, depth + 1, field) for item in value)
        elif isinstance(value, str):
            _check_text(value, field)


def _check_text(text: str, field: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _malformed(_("The JSON body holds text that is not valid Unicode."))
    if "\x00" in text:
        raise _nul_in(field or "json")


def _nul_in(field: str) -> UnprocessableEntity:
    message = _("Must not contain NUL characters.")
    error = UnprocessableEntity()
    error.data = {"message": message, "messages": {field: [message]}}  # type: ignore[attr-defined]
    return error


def refuse_nul_characters() -> None:
    """Query arguments and form fields (files aside) with a NUL are a 422 naming the field."""
    for name, value in request.args.items(multi=True):
        if "\x00" in (value or "") or "\x00" in (name or ""):
            raise _nul_in(name or "query")
    if request.method in {"POST", "PUT", "PATCH", "DELETE"} and not request.is_json:
        # A multipart part whose name cannot be read comes with None for a name.
        for name, value in request.form.items(multi=True):
            if "\x00" in (value or "") or "\x00" in (name or ""):
                raise _nul_in(name or "form")


def refuse_unroutable_requests_first() -> None:
    """Before credentials, CSRF and rate limits: a request with no route gets its 404/405."""
    if request.routing_exception is not None:
        raise request.routing_exception


def refuse_hostile_json() -> None:
    if not request.is_json or request.path.startswith(SIGNED_PREFIXES):
        return
    body = request.get_data(cache=True)
    if body:
        check_json_body(body)


def register(app: Flask) -> None:
    """Called before any extension registers its own ``before_request``, so these run first."""
    app.before_request(refuse_unroutable_requests_first)
    app.before_request(refuse_nul_characters)
    app.before_request(refuse_hostile_json)
