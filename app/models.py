"""Imports every domain's models so that SQLAlchemy's metadata (and Alembic) sees them all."""

from app.discovery import domain_modules

MODULES = domain_modules("models")
