"""HTML pages for shoppers.

Each submodule adds one group of routes to `bp`; app.discovery imports them all.
"""

from flask import Blueprint

bp = Blueprint("storefront", __name__)
