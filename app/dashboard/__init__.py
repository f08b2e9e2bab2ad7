"""HTML pages for cooperative members.

Each submodule adds one group of routes to `bp`; app.discovery imports them all.
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
