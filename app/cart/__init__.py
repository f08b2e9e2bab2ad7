"""The shopper's cart, held in the session or per user."""
