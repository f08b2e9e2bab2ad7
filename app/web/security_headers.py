"""Security headers on every answer (Flask-Talisman), and HTTPS-only cookies in production.

Every page: a Content-Security-Policy that allows only our own scripts (inline ones need
the page's nonce, ``{{ csp_nonce() }}``), never framing (``frame-ancestors 'none'`` and
``X-Frame-Options: DENY``), ``X-Content-Type-Options: nosniff`` and a referrer policy that
never sends paths to other sites. Stripe.js may run, and frame its card fields, on the
card payment page only. In production, plain HTTP is redirected to HTTPS and answers carry
HSTS; the health probes are answered over plain HTTP too, for load balancers.
"""

from __future__ import annotations

from collections.abc import ItemsView

from flask import Flask, request
from flask_talisman import DENY, Talisman

#: The policy of every page.
BASE_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    # Inline style attributes (report charts) carry no script; scripts stay locked down.
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
#: What Stripe.js needs (its script, the frames of the card fields and 3-D Secure, its API).
STRIPE_POLICY: dict[str, str] = {
    "script-src": "https://js.stripe.com https://*.js.stripe.com",
    "frame-src": "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com",
    "connect-src": "'self' https://api.stripe.com",
    "img-src": "https://*.stripe.com",
}
#: Pages that load Stripe.js.
STRIPE_PAGES = frozenset({"storefront.pay_order"})


class PagePolicy:
    """The Content-Security-Policy of the page being answered: Talisman reads its
    ``items()`` on each response, so the card payment page alone gets Stripe's sources."""

    def items(self) -> ItemsView[str, str]:
        policy = dict(BASE_POLICY)
        if request.endpoint in STRIPE_PAGES:
            for directive, sources in STRIPE_POLICY.items():
                own = policy.get(directive, "")
                policy[directive] = f"{own} {sources}".strip()
        return policy.items()


def register(app: Flask) -> None:
    """Send the headers on every answer; HTTPS, HSTS and secure cookies in production only."""
    production = app.config["APP_ENV"] == "production"
    options = {
        "frame_options": DENY,
        "content_security_policy": PagePolicy(),
        "content_security_policy_nonce_in": ["script-src"],
        "referrer_policy": "strict-origin-when-cross-origin",
    }
    # One Talisman per app: it keeps its settings on itself, and tests build several apps.
    app.extensions["talisman"] = Talisman(
        app,
        force_https=production,
        strict_transport_security=production,
        session_cookie_secure=production,
        session_cookie_http_only=True,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
        **options,
    )
    _exempt_probes_from_https(options)


def _exempt_probes_from_https(options: dict) -> None:
    """Talisman's per-view options for the probes. Given whole (Talisman fills a missing key
    in from the app it serves, on a dict shared by every app) and alike for every app."""
    from app.web import health

    for probe in (health.healthz, health.readyz):
        probe.talisman_view_options = {
            **options,
            "force_https": False,
            "frame_options_allow_from": None,
            "permissions_policy": {"browsing-topics": "()"},
            "document_policy": {},
            "feature_policy": {},
        }
