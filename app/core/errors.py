"""Domain errors: raised by services, mapped by faces to form messages or JSON errors.

Each error carries a stable `code` (for API clients), a human `message`, the
HTTP status a face should answer with, and optionally per-field messages.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext


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


#: What each state machine's refused moves are called: machine -> (a sentence with
#: ``%(from_state)s`` and ``%(to_state)s``, {state code: its name}), both lazily translated.
#: Filled by ``name_transitions`` (each domain's ``labels``, called by the app factory),
#: since core imports no domain.
_TRANSITION_WORDS: dict[str, tuple[object, Mapping[str, object]]] = {}


def name_transitions(machine: str, sentence: object, state_names: Mapping[str, object]) -> None:
    """Say how ``IllegalTransition`` tells a reader about a refused move of ``machine``."""
    _TRANSITION_WORDS[machine] = (sentence, state_names)


class IllegalTransition(Conflict):
    """A state machine refused a move. The message is written when raised, in the language
    of the request (the reader's); ``machine`` and the state codes stay for code."""

    code = "illegal_transition"

    def __init__(self, machine: str, from_state: str, to_state: str) -> None:
        sentence, names = _TRANSITION_WORDS.get(machine, (None, {}))
        words = {
            "from_state": str(names.get(from_state, from_state)),
            "to_state": str(names.get(to_state, to_state)),
        }
        if sentence is None:
            message = gettext("This cannot go from “%(from_state)s” to “%(to_state)s”.", **words)
        else:
            message = str(sentence) % words
        super().__init__(message)
        self.machine = machine
        self.from_state = from_state
        self.to_state = to_state
