"""HTML pages for admins.

Each module listed in `blueprint()` adds one group of routes to `bp`.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_admin():
    """Every admin page: log in first, then only the admin role."""
    from flask import abort
    from flask_login import current_user

    from app.extensions import login_manager

    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None


def blueprint() -> Blueprint:
    """``bp`` with every group of its pages on it (the app factory registers it)."""
    from app.admin import (  # noqa: F401  (each module adds its routes to bp)
        accounts,
        audit,
        cooperatives,
        fairs,
        fee_rules,
        home,
        ledger,
        order_search,
        orders,
        payouts,
        products,
        refunds,
        reports,
    )

    return bp
