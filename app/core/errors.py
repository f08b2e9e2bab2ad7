"""Domain errors: raised by services, mapped by faces to form messages or JSON errors.

Each error carries a stable `code` (for API clients), a human `message`, the
HTTP status a face should answer with, and optionally per-field messages.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class IllegalTransition(Conflict):
    code = "illegal_transition"

    def __init__(self, machine: str, from_state: str, to_state: str) -> None:
        super().__init__(
            f"A {machine} cannot go from {from_state} to {to_state}.",
        )
        self.machine = machine
        self.from_state = from_state
        self.to_state = to_state
