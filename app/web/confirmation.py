"""A second step before an action that cannot be undone (cancel, archive, verify, suspend,
refund, payouts).

The action's form posts as before; without ``confirmed=yes`` the route changes nothing and
answers ``confirmation_page``: what will happen, a confirm button that posts the same fields
again with ``confirmed=yes`` (and the reader's CSRF token), and a link back. No JavaScript,
and a forged one-click post does nothing.
"""

from __future__ import annotations

from flask import render_template, request

#: The field a confirmation page adds to the form it posts again.
CONFIRM_FIELD = "confirmed"


def is_confirmed() -> bool:
    """Whether the posted form went through its confirmation page."""
    return request.form.get(CONFIRM_FIELD) == "yes"


def confirmation_page(
    *,
    title: str,
    consequence: str,
    button: str,
    back_url: str,
    details: list[str] | None = None,
    final: bool = True,
) -> str:
    """The page asking to confirm the posted form; it posts the same fields to the same URL.
    ``final``: the page says the action cannot be undone."""
    kept = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in (CONFIRM_FIELD, "csrf_token")
    ]
    return render_template(
        "confirm.html",
        title=title,
        consequence=consequence,
        details=details or [],
        button=button,
        back_url=back_url,
        final=final,
        action=request.path,
        kept=kept,
    )
