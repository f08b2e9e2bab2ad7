"""HTML pages for admins.

Each submodule adds one group of routes to `bp`; app.discovery imports them all.
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
