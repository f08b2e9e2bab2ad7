"""Imports every domain's models so that SQLAlchemy's metadata (and Alembic) sees them all."""

from app.accounts import models as accounts  # noqa: F401
from app.catalog import models as catalog  # noqa: F401
from app.cooperatives import models as cooperatives  # noqa: F401
from app.fair import models as fair  # noqa: F401
