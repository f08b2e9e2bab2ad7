"""Outbox rows, message templates and delivery channels."""
