"""One JSON line per log record, carrying the request id, and nothing secret.

The request id (``X-Request-ID`` or made here) and who is acting live in context
variables: set by the request hooks (``observability.web``) and by the task hooks
(``observability.tasks``, from the headers ``enqueue`` sent), and copied onto every
record by ``ContextFilter``. ``RedactingJsonFormatter`` scrubs passwords, tokens, RIBs and
card numbers from every message and field of the line it writes (from a copy of the record).
"""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str | None] = ContextVar("souk_request_id", default=None)
user_id_var: ContextVar[int | None] = ContextVar("souk_user_id", default=None)
cooperative_id_var: ContextVar[int | None] = ContextVar("souk_cooperative_id", default=None)

REDACTED = "[redacted]"

#: Field names whose value is never written, whatever it holds.
SECRET_KEYS = re.compile(
    r"pass(word)?|secret|token|authorization|cookie|rib|iban|card|cvc|csrf|api_key|signature",
    re.IGNORECASE,
)
#: Inside free text: key=value / "key": "value" pairs with a secret key, bearer tokens,
#: Stripe keys, and runs of 12 or more digits (a RIB has 24, a card 13 to 19).
_SECRET_PAIR = re.compile(
    r"(?P<key>[\w-]*(?:pass(?:word)?|secret|token|rib|iban|card_?number|cvc)[\w-]*)"
    r"(?P<sep>[\"']?\s*[:=]\s*[\"']?)(?P<value>[^\s\"'&,;}]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(Bearer\s+)[\w.~+/=-]+", re.IGNORECASE)
_STRIPE_KEY = re.compile(r"\b(sk|rk|whsec|pk)_(test|live)?_?[A-Za-z0-9]{4,}")
_LONG_NUMBER = re.compile(r"(?<![\w.])(?:\d[ -]?){12,}\d(?![\w.])")

#: LogRecord attributes that are not fields someone added.
_RECORD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def scrub(text: str) -> str:
    text = _SECRET_PAIR.sub(lambda m: f"{m['key']}{m['sep']}{REDACTED}", text)
    text = _BEARER.sub(rf"\g<1>{REDACTED}", text)
    text = _STRIPE_KEY.sub(REDACTED, text)
    return _LONG_NUMBER.sub(REDACTED, text)


def scrub_value(key: str, value: Any) -> Any:
    if SECRET_KEYS.search(key):
        return REDACTED
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: scrub_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(key, v) for v in value]
    return value


def redacted(record: logging.LogRecord) -> logging.LogRecord:
    """A scrubbed copy of ``record``: its message (arguments merged), its extra fields, its
    traceback as text. The record itself goes on unchanged: Sentry's logging integration
    reads it after the handlers, and needs its exception (observability.sentry scrubs what
    it sends)."""
    copy = logging.makeLogRecord(vars(record))
    try:
        message = record.getMessage()
    except Exception:
        message = str(record.msg)
    copy.msg, copy.args = scrub(message), None
    for key, value in list(vars(copy).items()):
        if key not in _RECORD_ATTRS:
            setattr(copy, key, scrub_value(key, value))
    exc_text = copy.exc_text
    if copy.exc_info and not exc_text:
        exc_text = logging.Formatter().formatException(copy.exc_info)
    if exc_text:
        # Formatters format exc_info afresh: only the scrubbed text is left to them.
        copy.exc_text, copy.exc_info = scrub(exc_text), None
    if copy.stack_info:
        copy.stack_info = scrub(copy.stack_info)
    return copy


class RedactingJsonFormatter(JsonFormatter):
    """python-json-logger's formatter, writing ``redacted`` copies of the records."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(redacted(record))


class ContextFilter(logging.Filter):
    """Adds the request id, user id and cooperative id of the running request or task."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in (
            ("request_id", request_id_var),
            ("user_id", user_id_var),
            ("cooperative_id", cooperative_id_var),
        ):
            if getattr(record, name, None) is None:
                setattr(record, name, var.get())
        return True


def json_formatter() -> JsonFormatter:
    return RedactingJsonFormatter(
        "{asctime}{levelname}{name}{message}",
        style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
        json_ensure_ascii=False,
    )


def json_handler(stream=None) -> logging.Handler:
    """A handler writing one redacted JSON object per line to ``stream`` (stderr)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name("souk-json")
    handler.addFilter(ContextFilter())
    handler.setFormatter(json_formatter())
    return handler


def configure_json_logging(level: str = "INFO") -> None:
    """Route every logger to one JSON handler on the root (once per process)."""
    root = logging.getLogger()
    if not any(handler.get_name() == "souk-json" for handler in root.handlers):
        for handler in list(root.handlers):
            root.removeHandler(handler)
        root.addHandler(json_handler())
    root.setLevel(level)
    for name in ("gunicorn.error", "celery", "flask.app"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
