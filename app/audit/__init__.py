"""The audit log: who did what as an admin, when, and what it changed."""
