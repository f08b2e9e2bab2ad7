"""Foundations every domain shares: the database base, money, domain errors, after-commit hooks."""
