"""Background work: Celery bound to the Flask app (DESIGN section 9)."""
