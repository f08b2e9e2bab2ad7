"""`flask payouts run`: release what is due and propose payouts, as the daily run does."""

from __future__ import annotations

import click
from flask import Flask

from app.core.money import format_money
from app.payouts import services


def register(app: Flask) -> None:
    group = click.Group("payouts", help="Payouts to cooperatives.")
    app.cli.add_command(group)

    @group.command("run")
    def run() -> None:
        """Release held earnings due now, then propose one payout per cooperative owed at
        least the minimum; running it again proposes nothing twice."""
        report = services.run_payouts()
        released = sum(item.amount_cents for item in report.released)
        click.echo(
            f"Released {format_money(released)} from {len(report.released)} delivered part(s)."
        )
        for payout in report.proposed:
            click.echo(
                f"Proposed {payout.reference}: {format_money(payout.amount_cents)} to "
                f"{payout.cooperative.name} (#{payout.cooperative_id}) by {payout.method}."
            )
        for blocked in report.blocked:
            click.echo(
                f"Not proposed: {blocked.cooperative.name} (#{blocked.cooperative.id}), "
                f"{format_money(blocked.available_cents)}: {blocked.reason}"
            )
        if not report.proposed:
            click.echo("No new payout proposed.")
