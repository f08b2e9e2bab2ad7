"""How many photos an account may upload: each costs the server a decode and a re-encode.

One counter per account (config PHOTO_UPLOAD_RATE_LIMIT, "30 per hour"), shared by the
API's image endpoint and the dashboard's photo form, so that neither door lets one account
tie up the workers. Every upload counts, refused ones too: a refused file was still read.
Past the limit, Flask-Limiter answers 429 (a JSON error under /api, a page elsewhere).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from flask_login import current_user

from app.extensions import limiter

SCOPE = "photo-uploads-per-account"

View = TypeVar("View", bound=Callable)


def limit_photo_uploads(view: View) -> View:
    """Put ``view`` (a POST that takes a photo, behind its login check) under the limit."""
    return limiter.shared_limit(
        _photo_upload_rate_limit, scope=SCOPE, key_func=_account_key, methods=["POST"]
    )(view)


def _photo_upload_rate_limit() -> str:
    return current_app.config["PHOTO_UPLOAD_RATE_LIMIT"]


def _account_key() -> str:
    return f"account:{current_user.get_id() or 'anonymous'}"
