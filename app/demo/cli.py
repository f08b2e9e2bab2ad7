"""`flask seed-demo`: load the demo marketplace and say how to log in to it."""

from __future__ import annotations

import os
from datetime import datetime

import click
from flask import Flask

from app.demo.fair_data import DEMO_PASSWORD
from app.demo.seed import SeedReport, seed_demo

#: Cooperative owners named in the printout (the first, headline cooperatives).
OWNERS_SHOWN = 3
KINDS = (
    ("cooperatives", "verified cooperatives"),
    ("exhibitors", "exhibitors at the open fair"),
    ("stands", "stands over the three fairs"),
    ("products", "products"),
    ("images", "product photos"),
    ("categories", "categories"),
    ("fairs", "fairs"),
    ("applications", "pending applications"),
    ("accounts", "accounts"),
    ("fee_rules", "fee rules"),
)


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Date on which the 3rd fair (Khenifra) is open, YYYY-MM-DD; default: today in "
        "Morocco.",
    )
    @click.option("--no-images", is_flag=True, help="Skip drawing the product photos (faster).")
    @click.option("--no-history", is_flag=True, help="Skip the eight weeks of orders and payouts.")
    def seed_demo_command(today: datetime | None, no_images: bool, no_history: bool) -> None:
        """Load the demo fair, cooperatives, products, accounts and eight weeks of orders and
        payouts; idempotent."""
        report = seed_demo(
            today.date() if today else None,
            images=not no_images,
            history=not no_history,
            log=click.echo,
        )
        click.echo(describe(report, port=os.environ.get("PORT") or "5000"))


def describe(report: SeedReport, port: str) -> str:
    """What a person needs after seeding: what is there, whom to log in as, and where."""
    added = sum(report.created.values())
    lines = [
        "",
        f"Demo data ready in {report.seconds:.1f} s"
        + (": nothing was missing." if added == 0 else "."),
        "  "
        + ", ".join(
            f"{report.totals.get(kind, 0)} {label}"
            + (f" ({report.created[kind]} new)" if report.created[kind] else "")
            for kind, label in KINDS
        ),
    ]
    fair = report.open_fair
    if fair is not None:
        lines.append(f"  Fair: {fair.name}, {fair.venue}, {fair.starts_on} to {fair.ends_on}")
        if not fair.is_open_on(report.today):
            lines.append(
                f"  It is not open on {report.today}: it was seeded for other dates. For a fresh "
                "demo, `make clean` then `make run`."
            )
    lines += ["", f"Demo accounts (every password: {DEMO_PASSWORD})"]
    for account in report.accounts_with_role("admin") + report.accounts_with_role("shopper"):
        lines.append(f"  {account.role:<9} {account.email:<40} {account.name}")
    for account in report.accounts_with_role("owner")[:OWNERS_SHOWN]:
        lines.append(f"  owner     {account.email:<40} {account.name}, {account.cooperative}")
    lines.append(
        "  Every cooperative's owner logs in with the cooperative's e-mail (@coops.example)."
    )
    lines += ["", "Pending applications, for the admin to verify:"]
    for account in report.accounts_with_role("applicant"):
        lines.append(f"  applicant {account.email:<40} {account.name}, {account.cooperative}")
        lines.append(f"            {account.note}")
    lines += ["", f"Open http://127.0.0.1:{port}"]
    return "\n".join(lines)
