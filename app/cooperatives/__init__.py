"""Cooperatives (and associations, mutuals, social enterprises), their members and verification."""
