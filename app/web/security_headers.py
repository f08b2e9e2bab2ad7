"""Security headers on every answer (Flask-Talisman), and HTTPS-only cookies in production.

Every page: a Content-Security-Policy that allows only our own scripts (inline ones need
the page's nonce, ``{{ csp_nonce() }}``), never framing (``frame-ancestors 'none'`` and
``X-Frame-Options: DENY``), ``X-Content-Type-Options: nosniff`` and a referrer policy that
never sends paths to other sites. Stripe.js may run, and frame its card fields, on the
card payment page only. In production, plain HTTP is redirected to HTTPS and answers carry
HSTS; the health probes are answered over plain HTTP too, for load balancers.

Caching: every answer is ``Cache-Control: no-store`` (receipts, statements, account and
dashboard pages, API answers about someone) unless its endpoint is in ``PUBLIC_ENDPOINTS``
and no one is signed in; a PDF or a CSV is always no-store. Private is the default, so a
page added tomorrow is not left in a shared computer's cache by omission.
"""

from __future__ import annotations

from collections.abc import ItemsView

from flask import Flask, Response, request, session
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

#: Answers that are the same for every visitor (the catalog, fairs, cooperatives' public
#: profiles, the API document, files): caches may keep them. Everything else is no-store.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "catalog.media",
        "health.healthz",
        "health.readyz",
        "storefront.home",
        "storefront.products",
        "storefront.product",
        "storefront.cooperatives",
        "storefront.cooperative",
        "storefront.fairs",
        "storefront.fair",
        "storefront.fair_trade",
        "api-docs.openapi_json",
        "api_catalog.list_products",
        "api_catalog.get_product",
        "api_catalog.list_categories",
        "api_cooperatives.list_cooperatives",
        "api_cooperatives.get_cooperative",
        "api_cooperatives.list_provinces",
        "api_fairs.list_fairs",
        "api_fairs.list_stands",
    }
)
#: Downloads that are someone's papers whatever the endpoint (statements, bank files).
PRIVATE_TYPES = frozenset({"application/pdf", "text/csv"})


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


def keep_private_answers_out_of_caches(response: Response) -> Response:
    """``Cache-Control: no-store`` unless the answer is public (see the module's docstring)."""
    public = (
        request.endpoint in PUBLIC_ENDPOINTS
        and response.mimetype not in PRIVATE_TYPES
        and not _signed_in()
    )
    if not public:
        response.cache_control.no_store = True
        response.cache_control.public = False
        response.cache_control.max_age = None
        response.cache_control.immutable = False
    return response


def _signed_in() -> bool:
    """A session or token names someone (without loading the user for an anonymous visit)."""
    return bool(session.get("_user_id") or request.headers.get("Authorization"))


def register(app: Flask) -> None:
    """Send the headers on every answer; HTTPS, HSTS and secure cookies in production only."""
    app.after_request(keep_private_answers_out_of_caches)
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
