from __future__ import annotations

import pytest

from config import ConfigurationError, ProductionConfig, TestingConfig, load_config


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_reports_database_and_broker(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["database"] is True


def test_production_refuses_to_start_without_secret_key():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_config("production", {"DATABASE_URL": "postgresql://db/souk"})


def test_production_refuses_sqlite():
    with pytest.raises(ConfigurationError, match="PostgreSQL"):
        load_config("production", {"SECRET_KEY": "x" * 40})


def test_environment_overrides_settings():
    settings = load_config(
        "development",
        {"PAYOUT_HOLD_DAYS": "3", "DATABASE_URL": "postgres://u@h/db", "REDIS_URL": "redis://h/0"},
    )
    assert settings["PAYOUT_HOLD_DAYS"] == 3
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://h/0"


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_unknown_page_answers_html_404(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert "text/html" in response.content_type


#: A platform RIB of production's own (not the demo's), with a correct check key.
PRODUCTION_RIB = "007 780 0009876543210987 75"
PRODUCTION = {
    "SECRET_KEY": "x" * 40,
    "DATABASE_URL": "postgresql://db/souk",
    "PLATFORM_RIB": PRODUCTION_RIB,
}


def test_catalog_answers_are_cached_where_every_process_sees_the_same_generation():
    assert (
        load_config("production", {**PRODUCTION, "REDIS_URL": "redis://r:6379/0"})["CACHE_TYPE"]
        == "RedisCache"
    )
    # Several gunicorn workers without Redis would each retire only their own answers.
    assert load_config("production", PRODUCTION)["CACHE_TYPE"] == "NullCache"
    assert load_config("development", {})["CACHE_TYPE"] == "SimpleCache"
    assert load_config("testing", {"REDIS_URL": "redis://r:6379/0"})["CACHE_TYPE"] == "NullCache"


def test_production_refuses_a_secret_key_under_32_bytes():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_config("production", {**PRODUCTION, "SECRET_KEY": "x" * 31})
    # Bytes, not characters: 16 Arabic letters are 32 bytes of UTF-8.
    assert load_config("production", {**PRODUCTION, "SECRET_KEY": "ب" * 16})


def test_production_refuses_stripe_keys_without_the_webhook_secret():
    with_keys = {**PRODUCTION, "STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_PUBLISHABLE_KEY": "pk_x"}

    with pytest.raises(ConfigurationError, match="STRIPE_WEBHOOK_SECRET"):
        load_config("production", with_keys)
    assert load_config("production", {**with_keys, "STRIPE_WEBHOOK_SECRET": "whsec_x"})
    assert load_config("production", PRODUCTION)  # no card payments at all is allowed


def test_production_still_refuses_sqlite_with_a_strong_key():
    with pytest.raises(ConfigurationError, match="PostgreSQL"):
        load_config("production", {**PRODUCTION, "DATABASE_URL": "sqlite:///souk.db"})


def test_production_hashes_passwords_at_rfc_9106_cost_and_refuses_cheaper_parameters():
    settings = load_config("production", PRODUCTION)
    assert settings["PASSWORD_HASHING"] is None  # argon2-cffi's RFC 9106 low-memory profile

    with pytest.raises(ConfigurationError, match="PASSWORD_HASHING"):
        ProductionConfig.check({**settings, "PASSWORD_HASHING": TestingConfig.PASSWORD_HASHING})
    ProductionConfig.check({**settings, "PASSWORD_HASHING": {"memory_cost": 131072}})


def test_the_demo_platform_rib_passes_the_apps_own_rib_key_check():
    from app.cooperatives.documents import rib_key_ok

    assert rib_key_ok(TestingConfig.PLATFORM_RIB)
    assert rib_key_ok(PRODUCTION_RIB)


def test_production_refuses_to_start_with_the_demo_platform_rib_or_an_invalid_one():
    for rib in (None, "", ProductionConfig.PLATFORM_RIB, "007 780 0009876543210987 76", "123"):
        environ = {key: value for key, value in PRODUCTION.items() if key != "PLATFORM_RIB"}
        if rib is not None:
            environ["PLATFORM_RIB"] = rib
        with pytest.raises(ConfigurationError, match="PLATFORM_RIB"):
            load_config("production", environ)
    # Written without its spaces, the demo RIB is still the demo RIB.
    with pytest.raises(ConfigurationError, match="PLATFORM_RIB"):
        load_config(
            "production",
            {**PRODUCTION, "PLATFORM_RIB": ProductionConfig.PLATFORM_RIB.replace(" ", "")},
        )
    assert load_config("production", PRODUCTION)["PLATFORM_RIB"] == PRODUCTION_RIB
