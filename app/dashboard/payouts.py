"""Members see their cooperative's balance and payouts, each linked to the statement's day.

For members of that cooperative only (a 403 page for anyone else).
"""

from __future__ import annotations

from datetime import date

from flask import render_template, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from app.cooperatives.permissions import cooperative_or_404, require_member
from app.core.language import current_language
from app.core.paging import requested_page
from app.dashboard import bp
from app.fair.queries import morocco_today
from app.ledger.queries import cooperative_balance
from app.payouts import queries, rules

PER_PAGE = 25
#: The members' statement page, when the dashboard has one (it takes from/to days).
STATEMENT_ENDPOINT = "dashboard.statement"


@bp.get("/<id:cooperative_id>/payouts")
def payouts(cooperative_id: int):
    """Pending and available balance, the next payout, and every payout, newest first."""
    cooperative = cooperative_or_404(cooperative_id)
    require_member(current_user, cooperative.id)
    pending, available = cooperative_balance(cooperative.id)
    page = requested_page(queries.payouts(cooperative_id=cooperative.id), PER_PAGE)
    return render_template(
        "dashboard/payouts/list.html",
        cooperative=cooperative,
        language=current_language(),
        pending_cents=pending,
        available_cents=available,
        next_payout_cents=queries.next_payout_cents(cooperative.id),
        minimum_cents=rules.minimum_payout_cents(),
        page=page,
        statement_urls={
            payout.id: _statement_url(cooperative.id, morocco_today(payout.executed_at))
            for payout in page.items
            if payout.executed_at is not None
        },
    )


def _statement_url(cooperative_id: int, day: date) -> str | None:
    """The statement of the day the payout left the balance, if the dashboard has that page."""
    try:
        return url_for(
            STATEMENT_ENDPOINT,
            cooperative_id=cooperative_id,
            **{"from": day.isoformat(), "to": day.isoformat()},
        )
    except BuildError:
        return None
