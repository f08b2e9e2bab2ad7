"""`flask create-admin EMAIL [--password PW] [--name NAME]`: the first admin, or one more."""

from __future__ import annotations

import click
from flask import Flask

from app.accounts import services
from app.accounts.queries import user_by_email
from app.accounts.validation import normalise_email
from app.core.errors import DomainError


def register(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--password", help="Password of a new admin (asked, hidden, when left out).")
    @click.option("--name", help="Display name (default: the part of the email before @).")
    def create_admin(email: str, password: str | None, name: str | None) -> None:
        """Create an admin account, or promote the existing account with this EMAIL."""
        try:
            normalised = normalise_email(email)
            if password is None and user_by_email(normalised) is None:
                password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
            grant = services.create_admin(normalised, password, name)
        except DomainError as error:
            raise click.ClickException(_describe(error))
        user = grant.user
        if grant.created:
            click.echo(f"Created admin {user.email} ({user.name}).")
        else:
            change = " Password changed." if grant.password_changed else ""
            click.echo(f"{user.email} already had an account: promoted to admin.{change}")


def _describe(error: DomainError) -> str:
    messages = [message for field in error.fields.values() for message in field]
    return " ".join(messages) or error.message
