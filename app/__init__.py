"""Souk Tadamon: the solidarity marketplace of Beni Mellal-Khenifra."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from app.i18n_validation import speak_the_readers_language
from config import load_config

# Before any schema is built: schemas copy marshmallow's messages when they are defined.
speak_the_readers_language()


def create_app(app_env: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application for `app_env` (default $APP_ENV), with optional setting overrides."""
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.config.from_mapping(load_config(app_env))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Arabic and French read as written
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
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_template_helpers(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import models, security_headers  # noqa: F401
    from app.catalog.cache import watch_catalog_commits
    from app.core import sqlite
    from app.extensions import babel, cache, csrf, db, limiter, login_manager, migrate
    from app.i18n import select_locale, select_timezone

    db.init_app(app)
    with app.app_context():
        sqlite.configure(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).resolve().parent.parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    cache.init_app(app)
    watch_catalog_commits()
    security_headers.register(app)

    from workers.celery_app import celery_init_app

    celery_init_app(app)


def register_blueprints(app: Flask) -> None:
    """Each face's blueprint, with the route modules its package holds."""
    from app import health
    from app.api import register_api
    from app.discovery import domain_modules, submodules

    app.register_blueprint(health.bp)
    for face in ("storefront", "dashboard", "admin"):
        package = __import__(f"app.{face}", fromlist=["bp"])
        submodules(f"app.{face}")
        app.register_blueprint(package.bp)
    for views in domain_modules("views"):
        app.register_blueprint(views.bp)
    register_api(app)


def register_cli(app: Flask) -> None:
    """`register(app)` of every domain's `cli` module (seed-demo, create-admin, payouts run)."""
    from app.discovery import domain_modules

    for cli in domain_modules("cli"):
        cli.register(app)


def register_template_helpers(app: Flask) -> None:
    from app import i18n, transition_words

    i18n.register(app)
    transition_words.register()
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in app.view_functions
