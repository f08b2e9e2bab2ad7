"""What an error page says, in the reader's language, for every status the site answers with.

Werkzeug's descriptions ("The requested URL was not found on the server...") are English
only, and some extensions put their own English in them (Flask-WTF's CSRF reasons,
Flask-Limiter's limits): pages and API messages say ours instead.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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
