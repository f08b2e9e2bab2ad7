"""`flask fees install-defaults [--fair ID_OR_SLUG ...]`: DESIGN section 5's default fee rules."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import or_, select

from app.extensions import db
from app.fair.models import Fair
from app.fees import services


def register(app: Flask) -> None:
    group = click.Group("fees", help="Fair-trade fee rules.")
    app.cli.add_command(group)

    @group.command("install-defaults")
    @click.option(
        "--fair",
        "fair_keys",
        multiple=True,
        metavar="ID_OR_SLUG",
        help="Also give this fair's exhibitors no commission at their stand (repeatable).",
    )
    def install_defaults(fair_keys: tuple[str, ...]) -> None:
        """Add the default rules that are missing; running it again adds nothing."""
        fairs = [_fair(key) for key in fair_keys] or [None]
        added = [rule for fair in fairs for rule in services.install_default_rules(fair)]
        for rule in added:
            scope = rule.scope if rule.scope_value is None else f"{rule.scope} {rule.scope_value}"
            click.echo(f"Added rule {rule.id}: {rule.name} [{scope}].")
        if not added:
            click.echo("The default fee rules are already installed.")


def _fair(key: str) -> Fair:
    fair = db.session.scalar(
        select(Fair).where(or_(Fair.slug == key, Fair.id == (int(key) if key.isdigit() else -1)))
    )
    if fair is None:
        raise click.BadParameter(f"no fair has the id or slug {key!r}", param_hint="--fair")
    return fair
