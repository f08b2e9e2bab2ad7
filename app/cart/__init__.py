"""The shopper's cart, held in the session or per user."""

from app.cart import signals  # noqa: F401  (merges a guest's cart into the shopper's at login)
