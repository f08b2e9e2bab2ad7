"""Configuration classes and the environment variables that override them.

The classes hold defaults; `load_config()` reads the environment when the app
is created (not at import), so every setting of DESIGN section 11 can be set
per process. `APP_ENV` picks the class: development, testing or production.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class ConfigurationError(RuntimeError):
    """The environment does not allow the application to start safely."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def strong_password_hashing(parameters: Mapping[str, int] | None) -> bool:
    """Whether Argon2 `parameters` cost at least RFC 9106's low-memory profile."""
    floor = {"time_cost": 3, "memory_cost": 65536}
    return all((parameters or {}).get(name, least) >= least for name, least in floor.items())


class Config:
    APP_ENV = "base"
    SECRET_KEY = "dev-only-not-secret"
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'souk_tadamon.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    #: Unset: Celery runs tasks eagerly in-process and rate limits live in memory.
    REDIS_URL: str | None = None

    #: Uploaded product photos are stored here, outside the code tree.
    MEDIA_ROOT = str(INSTANCE_DIR / "media")
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    MAX_IMAGE_BYTES = 5 * 1024 * 1024
    #: Cooperatives' verification papers: private, outside the code tree and MEDIA_ROOT,
    #: served only after an access check (app/cooperatives/documents.py).
    DOCUMENTS_ROOT = str(INSTANCE_DIR / "private" / "documents")

    #: Where `flask backup` writes its folders (database dump, media, documents, manifest).
    BACKUP_ROOT = str(INSTANCE_DIR / "backups")

    STRIPE_SECRET_KEY: str | None = None
    STRIPE_PUBLISHABLE_KEY: str | None = None
    STRIPE_WEBHOOK_SECRET: str | None = None
    #: Points the real Stripe client at another server (our local fake in tests).
    STRIPE_API_BASE: str | None = None

    #: Unset: emails are printed to the console (log channel).
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Souk Tadamon <no-reply@souk-tadamon.example>"

    PAYOUT_HOLD_DAYS = 7
    PAYOUT_MINIMUM_CENTS = 10000
    #: The platform's bank account (24-digit Moroccan RIB) a cooperative may transfer the
    #: fees it owes on cash sales to; printed on its statement. A demo value by default
    #: (with a correct key, as the app checks every RIB); production refuses it.
    PLATFORM_RIB = "011 780 0000123456789012 96"
    CARD_ORDER_TIMEOUT_MINUTES = 30
    LOW_STOCK_THRESHOLD = 3

    LANGUAGES = ("ar", "fr", "en")
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Africa/Casablanca"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")

    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Flask-Login's remember-me cookie: never read by scripts, never sent on a cross-site
    #: POST (Lax), a month long; Secure in production.
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    #: Redis down must not take logins down: limits fall back to memory until it returns.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    #: How many reverse proxies set X-Forwarded-* in front of the app (0: none).
    PROXY_COUNT = 0
    #: Failed logins allowed for one account from one address before a 429
    #: (app/accounts/throttling.py); then from one address over all accounts, and for one
    #: account over all addresses.
    LOGIN_RATE_LIMIT = "5 per minute;30 per hour"
    LOGIN_ADDRESS_RATE_LIMIT = "100 per hour"
    LOGIN_ACCOUNT_RATE_LIMIT = "100 per hour"
    #: Registrations (HTML and API together) and password reset requests per address.
    #: Argon2id parameters (argon2.PasswordHasher's keywords); None: RFC 9106's low-memory
    #: profile. Production refuses anything cheaper than that profile.
    PASSWORD_HASHING: dict[str, int] | None = None

    REGISTRATION_RATE_LIMIT = "10 per hour"
    PASSWORD_RESET_RATE_LIMIT = "10 per hour"
    #: Codes sent by SMS to prove a phone, per address (each account and each phone also
    #: gets at most 3 an hour: app/accounts/phones.py).
    PHONE_CODE_RATE_LIMIT = "10 per hour"
    #: Product photos one account may upload (API and dashboard together) before a 429.
    PHOTO_UPLOAD_RATE_LIMIT = "30 per hour"
    #: Orders placed without an account, per address and per phone, before a 429
    #: (app/storefront/checkout_limits.py): cash on delivery costs a cooperative a trip.
    GUEST_CHECKOUT_RATE_LIMIT = "5 per hour;20 per day"
    GUEST_CHECKOUT_PHONE_RATE_LIMIT = "3 per day"

    #: Public catalog answers (product API, product list and page): where they are kept.
    #: SimpleCache is per process; REDIS_URL switches it to RedisCache (see load_config).
    CACHE_TYPE = "SimpleCache"
    CACHE_KEY_PREFIX = "souk:catalog:"
    #: Entries a per-process SimpleCache holds before it evicts (a page is 5 to 30 kB).
    CACHE_THRESHOLD = 1000
    CACHE_NO_NULL_WARNING = True
    #: Longest a cached catalog answer is served (seconds); every commit that changes what
    #: the catalog shows makes the cached answers unused at once. 0 turns the cache off.
    CATALOG_CACHE_SECONDS = 60

    #: Set (DATABASE_PGBOUNCER=1) when DATABASE_URL goes through PgBouncer in transaction
    #: pooling: psycopg then prepares no statements (a server connection is not the client's).
    DATABASE_PGBOUNCER = False
    #: A read replica of DATABASE_URL (e.g. a streaming or logical replica): the public
    #: catalog's and the reports' reads go there (app/core/replica.py); unset, everything
    #: reads the primary. Carts, orders and every read that decides a write use the primary.
    DATABASE_REPLICA_URL: str | None = None

    #: /metrics answers these addresses (CIDRs, comma separated) and METRICS_TOKEN's bearer.
    METRICS_ALLOW = "127.0.0.1/32,::1/128"
    METRICS_TOKEN: str | None = None
    #: Port of the Celery worker's own /metrics (unset: the worker exports nothing).
    CELERY_METRICS_PORT: int | None = None
    #: "json": one JSON line per record on stderr (production's default); "text": Flask's own.
    LOG_FORMAT = "text"
    LOG_LEVEL = "INFO"
    #: Set: errors go to Sentry. Unset: Sentry is not initialised, nothing is sent.
    SENTRY_DSN: str | None = None
    SENTRY_TRACES_SAMPLE_RATE = 0.0

    API_TITLE = "Souk Tadamon API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    @classmethod
    def check(cls, settings: Mapping[str, Any]) -> None:
        """Raise ConfigurationError when `settings` are unsafe for this environment."""


class DevelopmentConfig(Config):
    APP_ENV = "development"


class TestingConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    MEDIA_ROOT = str(INSTANCE_DIR / "test-media")
    DOCUMENTS_ROOT = str(INSTANCE_DIR / "test-documents")
    STRIPE_SECRET_KEY = "sk_test_souk"
    STRIPE_PUBLISHABLE_KEY = "pk_test_souk"
    STRIPE_WEBHOOK_SECRET = "whsec_test_souk"
    #: Tests run tasks in-process; the worker tests start a real worker with this off.
    CELERY_ALWAYS_EAGER = True
    #: Other tests see no cache; the catalog cache tests switch one on.
    CACHE_TYPE = "NullCache"
    #: The suite reads messages in English unless a test asks for a language (Accept-Language,
    #: /lang/<code>, a user's locale); every other environment defaults to French.
    BABEL_DEFAULT_LOCALE = "en"
    #: A real Argon2id hash at 1 MiB and one pass: the suite logs in thousands of times, and
    #: each login at production cost (0.15 s of CPU) was a tenth of its whole run.
    PASSWORD_HASHING = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


class ProductionConfig(Config):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    #: Behind the TLS proxy every address may look local: only METRICS_TOKEN or an explicit
    #: METRICS_ALLOW opens /metrics in production.
    METRICS_ALLOW = ""
    LOG_FORMAT = "json"

    #: Shortest SECRET_KEY production accepts, in bytes: it signs sessions, remember-me
    #: cookies and tokens, so it must not be guessable offline.
    MIN_SECRET_KEY_BYTES = 32

    @classmethod
    def check(cls, settings: Mapping[str, Any]) -> None:
        secret_key = str(settings["SECRET_KEY"] or "")
        if secret_key == Config.SECRET_KEY:
            raise ConfigurationError("SECRET_KEY must be set in production.")
        if len(secret_key.encode("utf-8")) < cls.MIN_SECRET_KEY_BYTES:
            raise ConfigurationError(
                f"SECRET_KEY must be at least {cls.MIN_SECRET_KEY_BYTES} bytes in production "
                '(e.g. python -c "import secrets; print(secrets.token_urlsafe(48))").'
            )
        if not strong_password_hashing(settings.get("PASSWORD_HASHING")):
            raise ConfigurationError(
                "PASSWORD_HASHING is cheaper than RFC 9106's low-memory profile "
                "(time_cost 3, memory_cost 65536 KiB): leave it unset in production."
            )
        if str(settings["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
            raise ConfigurationError("Production needs DATABASE_URL pointing at PostgreSQL.")
        cls.check_platform_rib(str(settings.get("PLATFORM_RIB") or ""))
        stripe_keys = settings.get("STRIPE_SECRET_KEY") or settings.get("STRIPE_PUBLISHABLE_KEY")
        if stripe_keys and not settings.get("STRIPE_WEBHOOK_SECRET"):
            # Without it no payment is ever confirmed: card orders would all expire unpaid.
            raise ConfigurationError(
                "Stripe keys are set but STRIPE_WEBHOOK_SECRET is not: set the webhook "
                "endpoint's signing secret too."
            )

    @staticmethod
    def check_platform_rib(rib: str) -> None:
        """Cooperatives transfer real money to this account: never the demo's, never one
        whose key is wrong (a typo would send their fees to a stranger or back to them)."""
        # Imported here: the app package imports this module while it is being built.
        from app.cooperatives.documents import rib_key_ok

        if "".join(rib.split()) == "".join(Config.PLATFORM_RIB.split()):
            raise ConfigurationError(
                "PLATFORM_RIB is the demo account: set the platform's own RIB in production."
            )
        if not rib_key_ok(rib):
            raise ConfigurationError(
                "PLATFORM_RIB is not a valid Moroccan RIB (24 digits, the last two its check key)."
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

#: Environment variable -> (setting, parser).
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "SECRET_KEY": ("SECRET_KEY", str),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "REDIS_URL": ("REDIS_URL", str),
    "MEDIA_ROOT": ("MEDIA_ROOT", str),
    "DOCUMENTS_ROOT": ("DOCUMENTS_ROOT", str),
    "BACKUP_ROOT": ("BACKUP_ROOT", str),
    "STRIPE_SECRET_KEY": ("STRIPE_SECRET_KEY", str),
    "STRIPE_PUBLISHABLE_KEY": ("STRIPE_PUBLISHABLE_KEY", str),
    "STRIPE_WEBHOOK_SECRET": ("STRIPE_WEBHOOK_SECRET", str),
    "STRIPE_API_BASE": ("STRIPE_API_BASE", str),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "MAIL_USE_TLS": ("MAIL_USE_TLS", _bool),
    "MAIL_USERNAME": ("MAIL_USERNAME", str),
    "MAIL_PASSWORD": ("MAIL_PASSWORD", str),
    "MAIL_DEFAULT_SENDER": ("MAIL_DEFAULT_SENDER", str),
    "PAYOUT_HOLD_DAYS": ("PAYOUT_HOLD_DAYS", int),
    "PLATFORM_RIB": ("PLATFORM_RIB", str),
    "PAYOUT_MINIMUM_CENTS": ("PAYOUT_MINIMUM_CENTS", int),
    "CARD_ORDER_TIMEOUT_MINUTES": ("CARD_ORDER_TIMEOUT_MINUTES", int),
    "LOW_STOCK_THRESHOLD": ("LOW_STOCK_THRESHOLD", int),
    "LOGIN_RATE_LIMIT": ("LOGIN_RATE_LIMIT", str),
    "LOGIN_ADDRESS_RATE_LIMIT": ("LOGIN_ADDRESS_RATE_LIMIT", str),
    "LOGIN_ACCOUNT_RATE_LIMIT": ("LOGIN_ACCOUNT_RATE_LIMIT", str),
    "REGISTRATION_RATE_LIMIT": ("REGISTRATION_RATE_LIMIT", str),
    "PASSWORD_RESET_RATE_LIMIT": ("PASSWORD_RESET_RATE_LIMIT", str),
    "PHONE_CODE_RATE_LIMIT": ("PHONE_CODE_RATE_LIMIT", str),
    "PHOTO_UPLOAD_RATE_LIMIT": ("PHOTO_UPLOAD_RATE_LIMIT", str),
    "GUEST_CHECKOUT_RATE_LIMIT": ("GUEST_CHECKOUT_RATE_LIMIT", str),
    "GUEST_CHECKOUT_PHONE_RATE_LIMIT": ("GUEST_CHECKOUT_PHONE_RATE_LIMIT", str),
    "RATELIMIT_STORAGE_URI": ("RATELIMIT_STORAGE_URI", str),
    "PROXY_COUNT": ("PROXY_COUNT", int),
    "CACHE_TYPE": ("CACHE_TYPE", str),
    "CATALOG_CACHE_SECONDS": ("CATALOG_CACHE_SECONDS", int),
    "DATABASE_PGBOUNCER": ("DATABASE_PGBOUNCER", _bool),
    "DATABASE_REPLICA_URL": ("DATABASE_REPLICA_URL", str),
    "METRICS_ALLOW": ("METRICS_ALLOW", str),
    "METRICS_TOKEN": ("METRICS_TOKEN", str),
    "CELERY_METRICS_PORT": ("CELERY_METRICS_PORT", int),
    "LOG_FORMAT": ("LOG_FORMAT", str),
    "LOG_LEVEL": ("LOG_LEVEL", str),
    "SENTRY_DSN": ("SENTRY_DSN", str),
    "SENTRY_TRACES_SAMPLE_RATE": ("SENTRY_TRACES_SAMPLE_RATE", float),
}


#: Options of the Redis client of RedisCache: a Redis that does not answer must cost a page
#: little, so it is given up on quickly (the catalog then computes its answers).
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain postgres:// and postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(
    app_env: str | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Settings for `app_env` (default: $APP_ENV or development) with the environment applied.

    Raises ConfigurationError for an unknown environment or unsafe settings.
    """
    environ = os.environ if environ is None else environ
    app_env = app_env or environ.get("APP_ENV", "development")
    try:
        config_class = CONFIGS[app_env]
    except KeyError:
        raise ConfigurationError(f"Unknown APP_ENV {app_env!r}; use one of {sorted(CONFIGS)}.")
    settings = {key: getattr(config_class, key) for key in dir(config_class) if key.isupper()}
    for variable, (key, parse) in ENVIRONMENT.items():
        value = environ.get(variable)
        if value:
            settings[key] = parse(value)
    settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        settings["SQLALCHEMY_DATABASE_URI"]
    )
    if settings["DATABASE_REPLICA_URL"]:
        settings["SQLALCHEMY_BINDS"] = {
            **(settings.get("SQLALCHEMY_BINDS") or {}),
            "replica": normalise_database_url(settings["DATABASE_REPLICA_URL"]),
        }
    if settings["DATABASE_PGBOUNCER"] and settings["SQLALCHEMY_DATABASE_URI"].startswith(
        "postgres"
    ):
        options = dict(settings["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {**options.get("connect_args", {}), "prepare_threshold": None}
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if settings["REDIS_URL"] and "RATELIMIT_STORAGE_URI" not in environ:
        settings["RATELIMIT_STORAGE_URI"] = settings["REDIS_URL"]
    if app_env != "testing" and "CACHE_TYPE" not in environ:
        # The generation that retires cached answers must be shared by every process: a
        # per-process SimpleCache is only for the single-process `make run`.
        if settings["REDIS_URL"]:
            settings["CACHE_TYPE"] = "RedisCache"
        elif app_env == "production":
            settings["CACHE_TYPE"] = "NullCache"
    if settings["CACHE_TYPE"] == "RedisCache":
        settings.setdefault("CACHE_REDIS_URL", settings["REDIS_URL"])
        settings.setdefault("CACHE_OPTIONS", dict(REDIS_CACHE_OPTIONS))
    if app_env == "testing":
        settings["RATELIMIT_STORAGE_URI"] = environ.get("RATELIMIT_STORAGE_URI", "memory://")
    config_class.check(settings)
    return settings
