"""``create_app``: the one place that wires the marketplace together.

Nothing registers itself by being imported. Extensions, blueprints (each face's
route modules listed by name), CLI commands, error handlers, template helpers,
and every handler, signal and watcher of the domains are registered here, by
the small ``register_*`` functions below, in the order a reader finds them.
A process that only calls ``create_app()`` (web, worker, CLI) therefore handles
every event the marketplace handles (see docs/architecture.md, "Mechanisms").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from app.core.json import OrjsonProvider
from config import load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(app_env: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application for `app_env` (default $APP_ENV), with optional setting overrides."""
    app = Flask("app", instance_path=str(ROOT / "instance"))
    app.config.from_mapping(load_config(app_env))
    app.json = OrjsonProvider(app)  # Arabic and French read as written (no \u escapes)
    if overrides:
        app.config.from_mapping(overrides)
    # After the overrides: the database the app really uses decides (SQLite has no such pool).
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # Threaded servers and workers may hold many connections at once; waiting beats a 500.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_size": 10,
            "max_overflow": 40,
            "pool_timeout": 60,
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        }
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    register_url_converters(app)
    register_request_guards(app)
    register_models()
    register_extensions(app)
    register_domain_wiring()
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    register_template_helpers(app)
    register_observability(app)
    return app


def register_url_converters(app: Flask) -> None:
    """``<id:...>`` in every route that names a row (before any route is added)."""
    from app.core.ids import IdConverter

    app.url_map.converters["id"] = IdConverter


def register_request_guards(app: Flask) -> None:
    """Before any extension's own hooks: unroutable requests and hostile JSON bodies."""
    from app.web import request_guards

    request_guards.register(app)


def register_models() -> None:
    """Every domain's tables, so that SQLAlchemy's metadata (and Alembic) knows them all."""
    import app.accounts.models
    import app.audit.models
    import app.cart.models
    import app.catalog.models
    import app.cooperatives.models
    import app.fair.models
    import app.fees.models
    import app.ledger.models
    import app.notifications.models
    import app.orders.models
    import app.payments.models
    import app.payouts.models  # noqa: F401


def register_extensions(app: Flask) -> None:
    from app.accounts.passwords import use_hashing_parameters
    from app.accounts.services import load_user
    from app.core import replica, sqlite
    from app.core.language import select_locale, select_timezone
    from app.core.tasks import celery_init_app
    from app.extensions import babel, cache, csrf, db, limiter, login_manager, migrate
    from app.web import security_headers

    use_hashing_parameters(app.config["PASSWORD_HASHING"])
    db.init_app(app)
    with app.app_context():
        sqlite.configure(db.engine)
    replica.register(app)  # catalog and report reads may go to DATABASE_REPLICA_URL
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    cache.init_app(app)
    security_headers.register(app)
    celery_init_app(app)


def register_domain_wiring() -> None:
    """Every handler, signal and watcher of the domains (each call is idempotent, per process).

    Then checks that every Stripe event type the marketplace acts on has its handler:
    a process missing one would refuse those webhooks (Stripe retries) rather than lose them.
    """
    from app.cart.signals import connect_cart_signals
    from app.catalog.cache import watch_catalog_commits
    from app.catalog.search_watch import watch_search_documents
    from app.cooperatives.labels import name_cooperative_transitions
    from app.core.after_commit import watch_commits
    from app.ledger.models import guard_ledger_rows
    from app.orders.labels import name_order_transitions
    from app.orders.takeover import connect_guest_takeover
    from app.payments.events import require_every_handler
    from app.payouts.labels import name_payout_transitions
    from app.payouts.transfers import register_webhook_handlers

    watch_commits()  # side effects (task enqueues, e-mails) after the commit only
    guard_ledger_rows()  # posted ledger rows are never updated or deleted
    watch_catalog_commits()  # a commit that changes the catalog retires its cached answers
    watch_search_documents()  # a flush that changes what is searched rebuilds its documents
    connect_cart_signals()  # a guest's cart joins the shopper's at login
    connect_guest_takeover()  # guest orders join the account that verifies their e-mail or phone
    name_order_transitions()  # how IllegalTransition words a refused move, per state machine
    name_cooperative_transitions()
    name_payout_transitions()
    register_webhook_handlers()  # transfer.* Stripe events, handled by payouts
    require_every_handler()


def register_blueprints(app: Flask) -> None:
    """Each face's blueprint with its pages, the domains' own pages, and the API.

    Each face lists its route modules in its package (``blueprint()``): a page module
    nobody lists is a page nobody serves, and its tests fail.
    """
    from app import admin, dashboard, storefront
    from app.accounts import views as account_pages
    from app.api import register_api
    from app.catalog import views as catalog_files
    from app.extensions import csrf
    from app.notifications import views as notification_pages
    from app.payments import views as stripe_webhook
    from app.web import health

    # Probes and Stripe's webhook carry no form: load balancers and the signature vouch.
    csrf.exempt(health.bp)
    csrf.exempt(stripe_webhook.bp)
    app.register_blueprint(health.bp)
    for face in (storefront, dashboard, admin):
        app.register_blueprint(face.blueprint())
    for pages in (account_pages, catalog_files, notification_pages, stripe_webhook):
        app.register_blueprint(pages.bp)
    register_api(app)


def register_error_handlers(app: Flask) -> None:
    from app.web.errors import register_error_handlers as register_handlers

    register_handlers(app)


def register_cli(app: Flask) -> None:
    """The flask commands: create-admin, backup, restore, seed-demo, fees ..., payouts ..."""
    from app.accounts import cli as accounts_cli
    from app.backup import cli as backup_cli
    from app.demo import cli as demo_cli
    from app.fees import cli as fees_cli
    from app.payouts import cli as payouts_cli

    for cli in (accounts_cli, backup_cli, demo_cli, fees_cli, payouts_cli):
        cli.register(app)


def register_template_helpers(app: Flask) -> None:
    """Language, money and dates (web), and the header's cart count and members' link."""
    from app.storefront.header import header_context
    from app.web.templating import register_template_helpers as register_helpers

    register_helpers(app)
    app.context_processor(header_context)


def register_observability(app: Flask) -> None:
    """Request ids, JSON logs, metrics (/metrics, domain counters, task hooks), Sentry."""
    from app.observability import register_observability as register

    register(app)
