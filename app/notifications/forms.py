"""Forms of the notifications page."""

from __future__ import annotations

from flask_wtf import FlaskForm


class MarkAllReadForm(FlaskForm):
    """No fields: the form exists for its CSRF token."""
