"""HTML pages for cooperative members.

Each module listed in `blueprint()` adds one group of routes to `bp`.
"""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.before_request
def require_login():
    """Every dashboard page needs a logged-in member; each view checks which cooperative."""
    from flask_login import current_user

    from app.extensions import login_manager

    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def blueprint() -> Blueprint:
    """``bp`` with every group of its pages on it (the app factory registers it)."""
    from app.dashboard import (  # noqa: F401  (each module adds its routes to bp)
        cooperative,
        documents,
        orders,
        overview,
        payouts,
        posters,
        products,
        statements,
    )

    return bp
