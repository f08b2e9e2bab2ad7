"""`flask backup` and `flask restore <backup>` (app/backup/archive.py says what they hold)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from app.backup.archive import BackupError, make_backup, restore_backup
from app.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("backup")
    @click.option(
        "--to",
        "root",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Folder the backup is written under; default: BACKUP_ROOT.",
    )
    def backup_command(root: Path | None) -> None:
        """Back up the database (pg_dump, custom format; SQLite: its backup API) and the
        media and documents folders into one timestamped folder with a manifest."""
        try:
            outcome = make_backup(
                db.engine, current_app.config, root or Path(current_app.config["BACKUP_ROOT"])
            )
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        manifest = outcome.manifest
        click.echo(f"Backup written to {outcome.folder} in {outcome.seconds:.1f} s:")
        click.echo(
            f"  {manifest['database']['kind']} database, {manifest['database']['bytes']} bytes, "
            f"{sum(manifest['counts'].values())} rows in {len(manifest['counts'])} tables, "
            f"migration {manifest['database']['revision']}"
        )
        click.echo(f"  {len(manifest['files'])} media and document files")

    @app.cli.command("restore")
    @click.argument("backup", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option(
        "--force", is_flag=True, help="Replace what the database holds (it must be empty else)."
    )
    def restore_command(backup: Path, force: bool) -> None:
        """Restore BACKUP (a folder made by `flask backup`) into the configured database
        (pg_restore --no-owner) and copy its media and documents back."""
        try:
            outcome = restore_backup(db.engine, current_app.config, backup, force=force)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        manifest = outcome.manifest
        click.echo(
            f"Restored {backup} (taken {manifest['taken_at']}) in {outcome.seconds:.1f} s: "
            f"{sum(manifest['counts'].values())} rows in {len(manifest['counts'])} tables, "
            f"{len(manifest['files'])} files; every table's rows match the manifest."
        )
