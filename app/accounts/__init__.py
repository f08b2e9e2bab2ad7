"""People: shoppers and admins, their passwords, sessions and API tokens."""
