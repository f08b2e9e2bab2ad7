"""The example systemd units and environment files (deploy/systemd) agree with each other and
with config.py: read as text, as systemd and the app would read them."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from config import load_config

KIT = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
#: PgBouncer's port in the kit (PostgreSQL's is 5432).
PGBOUNCER_PORT = 6432
#: What each unit that runs under ProtectSystem=strict writes (settings of the env files).
WRITES = {
    "souk-web.service": ("MEDIA_ROOT", "DOCUMENTS_ROOT", "PROMETHEUS_MULTIPROC_DIR"),
    "souk-backup.service": ("BACKUP_ROOT",),
}
#: Commands that must reach PostgreSQL itself: DDL, locks and pg_dump's snapshot.
DIRECT_COMMANDS = ("flask db upgrade", "flask backup")


def unit(name: str) -> dict[str, list[str]]:
    """``Section.Key`` -> every value given, in order (systemd allows a key several times)."""
    settings: dict[str, list[str]] = {}
    section = ""
    for line in (KIT / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        settings.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return settings


def env_file(path: Path) -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    return {key: value for key, value in pairs}


def examples() -> dict[str, Path]:
    """Installed path (the example's first line, ``# /etc/...: ...``) -> the example file."""
    found = {}
    for example in KIT.glob("*.env.example"):
        first = example.read_text().splitlines()[0]
        found[first.lstrip("# ").split(":", 1)[0].split()[0]] = example
    return found


def environment(name: str) -> dict[str, str]:
    """What a unit's process gets: its Environment= lines, then its EnvironmentFile= files in
    order, each overriding the one before (systemd.exec: files override Environment=)."""
    settings = unit(name)
    merged: dict[str, str] = {}
    for assignment in settings.get("Service.Environment", []):
        key, _, value = assignment.partition("=")
        merged[key] = value
    for installed in settings.get("Service.EnvironmentFile", []):
        merged.update(env_file(examples()[installed.lstrip("-")]))
    return merged


#: What the operator writes into the example's blanks before the first start (production
#: refuses to start without them); a platform RIB with a correct key.
OPERATOR_FILLS = {"PLATFORM_RIB": "007 780 0009876543210987 75"}


def production_settings(name: str) -> dict:
    """The production configuration a unit's process loads, its blanks filled by the operator."""
    merged = environment(name)
    filled = {key: value for key, value in OPERATOR_FILLS.items() if not merged.get(key)}
    return load_config("production", {**merged, **filled})


def units() -> list[str]:
    return sorted(path.name for path in KIT.glob("*.service"))


@pytest.mark.parametrize("name", units())
def test_every_environment_file_a_unit_reads_has_an_example(name):
    for installed in unit(name).get("Service.EnvironmentFile", []):
        assert installed.lstrip("-") in examples(), f"{name} reads {installed}: no example"


@pytest.mark.parametrize("name", units())
def test_a_database_url_through_pgbouncer_turns_prepared_statements_off(name):
    settings = production_settings(name)
    url = settings["SQLALCHEMY_DATABASE_URI"]
    through_pgbouncer = f":{PGBOUNCER_PORT}/" in url
    prepares = (
        settings["SQLALCHEMY_ENGINE_OPTIONS"]
        .get("connect_args", {})
        .get("prepare_threshold", "psycopg's default")
    )
    assert (prepares is None) == through_pgbouncer, (name, url, prepares)


def test_migrations_and_backups_reach_postgresql_directly():
    runs_direct = [
        name
        for name in units()
        if any(
            command in " ".join(unit(name).get("Service.ExecStart", []))
            for command in DIRECT_COMMANDS
        )
    ]
    assert {"souk-release.service", "souk-backup.service"} <= set(runs_direct)
    for name in runs_direct:
        url = production_settings(name)["SQLALCHEMY_DATABASE_URI"]
        assert f":{PGBOUNCER_PORT}/" not in url, f"{name} runs through PgBouncer: {url}"
    # The long-running processes keep going through PgBouncer.
    for name in ("souk-web.service", "souk-worker@.service"):
        assert f":{PGBOUNCER_PORT}/" in environment(name)["DATABASE_URL"]


@pytest.mark.parametrize("name", sorted(WRITES))
def test_what_a_strictly_protected_unit_writes_is_set_and_writable(name):
    settings = unit(name)
    assert settings["Service.ProtectSystem"] == ["strict"]
    writable = [PurePosixPath(path) for line in settings["Service.ReadWritePaths"]
                for path in line.split()]  # fmt: skip
    merged = environment(name)
    for setting in WRITES[name]:
        # Unset, the folder would be the default under instance/ in the (read-only) code tree.
        assert merged.get(setting), f"{name}: {setting} is not set"
        path = PurePosixPath(merged[setting])
        assert any(path == root or root in path.parents for root in writable), (
            f"{name} writes {setting}={path}, outside ReadWritePaths {writable}"
        )


def test_cooperatives_papers_live_outside_the_media_the_proxy_serves():
    settings = env_file(KIT / "souk.env.example")
    media, documents = (
        PurePosixPath(settings["MEDIA_ROOT"]),
        PurePosixPath(settings["DOCUMENTS_ROOT"]),
    )
    assert media != documents and media not in documents.parents
