"""Celery tasks: thin wrappers that take ids, load, and call one service."""
