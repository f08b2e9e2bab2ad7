"""Messages of the accounts domain in the reader's language.

Services run in requests, but also in the CLI, workers and tests, where there
is no reader: app.i18n's locale selector reads the request, so gettext cannot
run there, and the message stays in English.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _(message: str, **variables: object) -> str:
    """`message` translated during a request (with %(name)s `variables`), else in English."""
    if has_request_context():
        return gettext(message, **variables)
    return message % variables if variables else message
