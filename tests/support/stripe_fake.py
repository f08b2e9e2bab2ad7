"""A local stand-in for the Stripe API, spoken to over real HTTP.

Stripe cannot be reached from the test machines, so tests point the *real* official ``stripe``
client at :class:`FakeStripe`, an in-memory server on ``127.0.0.1`` that answers the few
endpoints the app uses the way Stripe does: form-encoded request bodies with nested keys,
``Authorization: Bearer sk_test_...``, the ``Idempotency-Key`` contract, Stripe-shaped objects
and Stripe-shaped errors (which the client turns into ``stripe.CardError``,
``stripe.InvalidRequestError`` and so on). Python helpers simulate what happens outside the API
(a shopper paying, a card being declined) and build the webhook events Stripe would send, signed
exactly as Stripe signs them.

Usage outside pytest::

    with FakeStripe() as fake:
        client = stripe.StripeClient(
            "sk_test_123", base_addresses={"api": fake.url}, max_network_retries=0
        )
        intent = client.v1.payment_intents.create(params={"amount": 12050, "currency": "mad"})
        event = fake.succeed_payment(intent.id)
        body, headers = fake.signed_webhook(event, "whsec_test_...")

Deliberate simplifications: one Stripe account, no Connect accounts (any ``acct_...``
destination is accepted), automatic capture only, no list endpoints, idempotency keys never
expire, requests are executed one at a time (so Stripe's 409 for concurrent requests sharing an
idempotency key cannot happen: the second one simply replays the first).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import json
import re
import secrets
import socket
import string
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, NamedTuple
from urllib.parse import parse_qsl, unquote_plus, urlsplit

try:  # Stamp events with the API version of the installed client, as Stripe would.
    import stripe as _stripe

    API_VERSION: str = _stripe.api_version
except ImportError:  # pragma: no cover - the fake itself does not need the client
    API_VERSION = "2026-10-28.endive"

JSON = dict[str, Any]

TEST_SECRET_KEY = "sk_test_souk_tadamon_fake_0123456789"
TEST_PUBLISHABLE_KEY = "pk_test_souk_tadamon_fake_0123456789"
TEST_WEBHOOK_SECRET = "whsec_test_souk_tadamon_fake_0123456789abcdef"

_ID_ALPHABET = string.ascii_letters + string.digits
_MAX_AMOUNT = 99_999_999  # Stripe's ceiling for two-decimal currencies.
_CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)
_DEFAULT_STATUS = {
    "card_error": 402,
    "api_error": 500,
    "invalid_request_error": 400,
    "idempotency_error": 400,
}
_DEFAULT_MESSAGE = {
    "card_error": "Your card was declined.",
    "api_error": "An unknown error occurred on Stripe's end (injected by FakeStripe).",
}


# --------------------------------------------------------------------------- webhook signing


def sign(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """Return the ``Stripe-Signature`` header value Stripe sends with ``payload``.

    Stripe signs ``f"{t}.{raw body}"`` with HMAC-SHA256 keyed by the endpoint secret (the whole
    ``whsec_...`` string, prefix included) and sends ``t=<unix time>,v1=<hex digest>``.
    """
    if timestamp is None:
        timestamp = int(time.time())
    body = payload.encode("utf-8") if isinstance(payload, str) else payload
    digest = hmac.new(secret.encode("utf-8"), b"%d." % timestamp + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def signed_webhook(
    event: JSON, secret: str, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """Serialise ``event`` as Stripe does and return ``(body, headers)`` ready to POST.

    The body is pretty-printed like Stripe's, so an app that re-serialises the parsed JSON
    instead of verifying the raw bytes fails the signature check, as it would in production.
    """
    body = json.dumps(event, indent=2).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": sign(body, secret, timestamp),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    }
    return body, headers


# --------------------------------------------------------------------------- small types


class Headers(Mapping[str, str]):
    """Read-only, case-insensitive view of request headers (``h["idempotency-key"]`` works)."""

    def __init__(self, items: Mapping[str, str] | list[tuple[str, str]]) -> None:
        pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
        self._items = {name.lower(): (name, value) for name, value in pairs}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self._items.values())!r})"


class RecordedRequest(NamedTuple):
    """One request as the fake received it; ``params`` is the decoded, nested form."""

    method: str
    path: str
    params: JSON
    headers: Headers


class FakeStripeUsageError(ValueError):
    """A simulation helper was called in a way Stripe could never produce (a test bug)."""


class _Reply(NamedTuple):
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass
class _Fault:
    method: str
    path_prefix: str
    kind: Literal["error", "drop"]  # "drop": execute, then hang up without answering
    remaining: int
    status: int = 500
    body: JSON | None = None
    replay: bool = False

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and path.startswith(self.path_prefix)


@dataclass
class _Stored:
    """What an idempotency key remembers: the request it was first used for, and the answer."""

    method: str
    path: str
    params: JSON
    reply: _Reply

    def replay(
        self, key: str, method: str, path: str, params: JSON, reply_headers: dict[str, str]
    ) -> _Reply:
        """The stored answer if the request is the same one again, else Stripe's refusal."""
        if (method, path) != (self.method, self.path):
            raise _StripeError(
                400,
                "Keys for idempotent requests can only be used for the same endpoint they were "
                f"first used for ('{self.method} {self.path}' vs '{method} {path}'). Try using a "
                f"key other than '{key}' if you meant to execute a different request.",
                type_="idempotency_error",
            )
        if params != self.params:
            raise _StripeError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                type_="idempotency_error",
            )
        headers = {
            **reply_headers,
            "Idempotent-Replayed": "true",
            "Original-Request": self.reply.headers["Request-Id"],
        }
        return _Reply(self.reply.status, self.reply.body, headers)


class _StripeError(Exception):
    """Raised by endpoint code; becomes a Stripe-shaped ``{"error": {...}}`` answer."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error: JSON = {"type": type_, "message": message, **extra}
        if code is not None:
            self.error["code"] = code
            self.error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
        if param is not None:
            self.error["param"] = param


def _random(length: int) -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def _new_id(prefix: str, length: int = 24) -> str:
    return f"{prefix}_{_random(length)}"


def _list_object(url: str, data: list[JSON] | None = None) -> JSON:
    items = data if data is not None else []
    return {
        "object": "list",
        "data": items,
        "has_more": False,
        "total_count": len(items),
        "url": url,
    }


# --------------------------------------------------------------------------- form decoding

_KEY_RE = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SUBKEY_RE = re.compile(r"\[([^\[\]]*)\]")
_FREE_FORM = {"metadata"}  # their keys are the user's: "0", "1" must stay dict keys


def parse_form(pairs: list[tuple[str, str]]) -> JSON:
    """Decode Stripe's form encoding into nested dicts and lists.

    ``metadata[order_number]=ST-1`` -> ``{"metadata": {"order_number": "ST-1"}}``;
    ``expand[0]=a&expand[1]=b`` (what stripe-python sends) or ``expand[]=a`` -> lists.
    Values stay strings, as on the wire; each endpoint converts what it reads.
    """
    root: JSON = {}
    for raw_key, value in pairs:
        match = _KEY_RE.match(raw_key)
        parts = [match.group(1), *_SUBKEY_RE.findall(match.group(2))] if match else [raw_key]
        node = root
        for depth, part in enumerate(parts):
            key = str(len(node)) if part == "" else part
            if depth == len(parts) - 1:
                node[key] = value
            else:
                child = node.get(key)
                if not isinstance(child, dict):
                    child = node[key] = {}
                node = child
    return {key: _listify(value, key in _FREE_FORM) for key, value in root.items()}


def _listify(value: Any, free_form: bool = False) -> Any:
    if not isinstance(value, dict):
        return value
    items = {key: _listify(item) for key, item in value.items()}
    if not free_form and items and set(items) == {str(i) for i in range(len(items))}:
        return [items[str(i)] for i in range(len(items))]
    return items


# --------------------------------------------------------------------------- parameter checks


def _check_known(
    params: JSON, allowed: set[str], nested: Mapping[str, set[str]] | None = None
) -> None:
    """Refuse parameters the endpoint does not take, as Stripe does (catches typos early)."""
    nested = nested or {}
    for key, value in params.items():
        if key not in allowed:
            raise _StripeError(
                400,
                f"Received unknown parameter: {key} "
                f"(FakeStripe implements: {', '.join(sorted(allowed))})",
                code="parameter_unknown",
                param=key,
            )
        if key in nested and isinstance(value, dict):
            for sub in value:
                if sub not in nested[key]:
                    name = f"{key}[{sub}]"
                    raise _StripeError(
                        400,
                        f"Received unknown parameter: {name}",
                        code="parameter_unknown",
                        param=name,
                    )


def _int_param(params: JSON, name: str, *, required: bool) -> int | None:
    raw = params.get(name)
    if raw is None:
        if required:
            raise _StripeError(
                400, f"Missing required param: {name}.", code="parameter_missing", param=name
            )
        return None
    if not isinstance(raw, str) or not re.fullmatch(r"-?\d+", raw):
        raise _StripeError(
            400, f"Invalid integer: {raw}", code="parameter_invalid_integer", param=name
        )
    value = int(raw)
    if value < 1:
        raise _StripeError(
            400,
            "This value must be greater than or equal to 1.",
            code="parameter_invalid_integer",
            param=name,
        )
    if value > _MAX_AMOUNT:
        raise _StripeError(
            400, "Amount must be no more than 999,999.99", code="amount_too_large", param=name
        )
    return value


def _str_param(params: JSON, name: str, *, required: bool = False) -> str | None:
    raw = params.get(name)
    if raw is None:
        if required:
            raise _StripeError(
                400, f"Missing required param: {name}.", code="parameter_missing", param=name
            )
        return None
    if not isinstance(raw, str):
        raise _StripeError(400, f"Invalid string: {raw!r}", param=name)
    return raw


def _enum_param(params: JSON, name: str, choices: tuple[str, ...]) -> str | None:
    value = _str_param(params, name)
    if value is not None and value not in choices:
        raise _StripeError(400, f"Invalid {name}: must be one of {', '.join(choices)}", param=name)
    return value


def _bool_param(params: JSON, name: str) -> bool | None:
    raw = params.get(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise _StripeError(400, f"Invalid boolean: {raw}", param=name)
    return raw == "true"


def _currency_param(params: JSON) -> str:
    currency = _str_param(params, "currency", required=True) or ""
    if not re.fullmatch(r"[a-zA-Z]{3}", currency):
        raise _StripeError(400, f"Invalid currency: {currency}", param="currency")
    return currency.lower()  # Stripe accepts "MAD" and answers "mad"


def _metadata_param(params: JSON, current: Mapping[str, str] | None = None) -> dict[str, str]:
    """Merge ``metadata`` into ``current`` like Stripe: ``""`` unsets a key, or all of them."""
    merged = dict(current or {})
    raw = params.get("metadata")
    if raw is None:
        return merged
    if raw == "":
        return {}
    if not isinstance(raw, dict):
        raise _StripeError(400, "Invalid hash", param="metadata")
    for key, value in raw.items():
        if not isinstance(value, str):
            raise _StripeError(400, "Invalid metadata value", param=f"metadata[{key}]")
        if len(key) > 40:
            raise _StripeError(
                400, "Metadata keys can be at most 40 characters", param=f"metadata[{key}]"
            )
        if len(value) > 500:
            raise _StripeError(
                400, "Metadata values can be at most 500 characters", param=f"metadata[{key}]"
            )
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > 50:
        raise _StripeError(400, "Metadata can have up to 50 keys", param="metadata")
    return merged


# --------------------------------------------------------------------------- the server


class FakeStripe:
    """In-memory Stripe API on a real local HTTP server; see the module docstring.

    ``api_key``: when given, only that exact key is accepted; otherwise any ``sk_test_`` key.
    State lives in memory and is shared by all clients; :meth:`reset` empties it.
    """

    sign = staticmethod(sign)
    signed_webhook = staticmethod(signed_webhook)

    def __init__(self, api_key: str | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.api_key = api_key
        self._host = host
        self._port = port
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., tuple[int, JSON]]]] = [
            ("POST", re.compile(r"/v1/payment_intents"), self._create_payment_intent),
            ("GET", re.compile(r"/v1/payment_intents/([^/]+)"), self._retrieve_payment_intent),
            ("POST", re.compile(r"/v1/payment_intents/([^/]+)"), self._update_payment_intent),
            ("POST", re.compile(r"/v1/payment_intents/([^/]+)/cancel"), self._cancel_intent),
            ("GET", re.compile(r"/v1/charges/([^/]+)"), self._retrieve("charge")),
            ("POST", re.compile(r"/v1/refunds"), self._create_refund),
            ("GET", re.compile(r"/v1/refunds/([^/]+)"), self._retrieve("refund")),
            ("POST", re.compile(r"/v1/transfers"), self._create_transfer),
            ("GET", re.compile(r"/v1/transfers/([^/]+)"), self._retrieve("transfer")),
            ("POST", re.compile(r"/v1/transfers/([^/]+)/reversals"), self._create_reversal),
            ("GET", re.compile(r"/v1/events/([^/]+)"), self._retrieve("event")),
        ]
        self.reset()

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> FakeStripe:
        """Start serving in a daemon thread (idempotent)."""
        if self._server is None:
            self._server = ThreadingHTTPServer((self._host, self._port), self._handler_class())
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"FakeStripe:{self._server.server_port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and hang up open connections (clients then get connection errors)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            with self._lock:
                for connection in self._connections:
                    with contextlib.suppress(OSError):
                        connection.shutdown(socket.SHUT_RDWR)
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base address for the client, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("FakeStripe is not running; call start() or use it as a context")
        return f"http://{self._host}:{self._server.server_port}"

    def reset(self) -> None:
        """Forget every object, event, idempotency key, pending fault and recorded request."""
        with self._lock:
            self._objects: dict[str, JSON] = {}
            self._idempotency: dict[str, _Stored] = {}
            self._faults: list[_Fault] = []
            self._requests: list[RecordedRequest] = []
            self._events: list[JSON] = []

    # ---------------------------------------------------------------- inspection

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far (a copy), oldest first, including rejected ones."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, method: str, path_prefix: str) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if r.method == method.upper() and r.path.startswith(path_prefix)
        ]

    @property
    def events(self) -> list[JSON]:
        """Events built by the simulation helpers, oldest first (copies)."""
        with self._lock:
            return copy.deepcopy(self._events)

    def get(self, object_id: str) -> JSON:
        """Current state of any object by id (a copy), for assertions."""
        with self._lock:
            return copy.deepcopy(self._objects[object_id])

    # ---------------------------------------------------------------- fault injection

    def fail_next(
        self,
        method: str,
        path_prefix: str,
        status: int | None = None,
        error_type: str = "card_error",
        code: str | None = None,
        message: str | None = None,
        *,
        times: int = 1,
        decline_code: str | None = None,
        param: str | None = None,
        replay_with_idempotency_key: bool = False,
    ) -> None:
        """Answer the next ``times`` matching requests with a Stripe error instead of running them.

        ``method`` may be ``"*"``; ``path_prefix`` matches by prefix (``"/v1/transfers"`` also
        matches ``/v1/transfers/tr_1/reversals``). Status defaults from the type: card_error 402
        (-> ``stripe.CardError``), api_error 500 (-> ``stripe.APIError``), others 400.

        By default the error is *not* remembered under the request's idempotency key, modelling
        a failure before Stripe began executing (Stripe saves nothing then): a retry with the same
        key runs normally. ``replay_with_idempotency_key=True`` models a failure Stripe recorded,
        which it then replays for that key forever.
        """
        if error_type == "card_error" and code is None:
            code, decline_code = "card_declined", decline_code or "generic_decline"
        extra: JSON = {"decline_code": decline_code} if decline_code else {}
        error = _StripeError(
            0,
            message or _DEFAULT_MESSAGE.get(error_type, "Injected error (FakeStripe)."),
            type_=error_type,
            code=code,
            param=param,
            **extra,
        )
        with self._lock:
            self._faults.append(
                _Fault(
                    method=method.upper(),
                    path_prefix=path_prefix,
                    kind="error",
                    remaining=times,
                    status=status or _DEFAULT_STATUS.get(error_type, 400),
                    body={"error": error.error},
                    replay=replay_with_idempotency_key,
                )
            )

    def drop_next_response(self, method: str, path_prefix: str, *, times: int = 1) -> None:
        """Execute the next matching request(s), then close the connection without answering.

        The client raises ``stripe.APIConnectionError`` although Stripe *did* act: the case an
        idempotency key exists for. Retrying with the same key returns the stored result.
        """
        with self._lock:
            self._faults.append(_Fault(method.upper(), path_prefix, "drop", times))

    # ---------------------------------------------------------------- simulation helpers

    def make_event(self, type: str, obj: JSON, *, previous_attributes: JSON | None = None) -> JSON:
        """Build (and remember) a v1 snapshot event around a copy of ``obj``."""
        data: JSON = {"object": copy.deepcopy(obj)}
        if previous_attributes is not None:
            data["previous_attributes"] = copy.deepcopy(previous_attributes)
        event: JSON = {
            "id": _new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type,
        }
        with self._lock:
            self._objects[event["id"]] = event
            self._events.append(event)
            return copy.deepcopy(event)

    def succeed_payment(self, intent_id: str, *, payment_method: str | None = None) -> JSON:
        """The shopper pays: the intent succeeds with a new charge. Returns the
        ``payment_intent.succeeded`` event."""
        with self._lock:
            intent = self._simulation_target(intent_id)
            charge = self._new_charge(intent, payment_method, failure=None)
            intent.update(
                status="succeeded",
                amount_received=intent["amount"],
                latest_charge=charge["id"],
                payment_method=charge["payment_method"],
                last_payment_error=None,
            )
            return self.make_event("payment_intent.succeeded", intent)

    def fail_payment(
        self,
        intent_id: str,
        code: str = "card_declined",
        message: str = "Your card was declined.",
        *,
        decline_code: str | None = "generic_decline",
        payment_method: str | None = None,
    ) -> JSON:
        """A payment attempt fails: a failed charge, the intent back to
        ``requires_payment_method`` with ``last_payment_error``. Returns the
        ``payment_intent.payment_failed`` event."""
        with self._lock:
            intent = self._simulation_target(intent_id)
            charge = self._new_charge(intent, payment_method, failure=(code, message))
            error: JSON = {
                "type": "card_error",
                "code": code,
                "message": message,
                "charge": charge["id"],
                "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
                "payment_method": {"id": charge["payment_method"], "object": "payment_method"},
            }
            if decline_code:
                error["decline_code"] = decline_code
            intent.update(
                status="requires_payment_method",
                latest_charge=charge["id"],
                payment_method=None,
                last_payment_error=error,
            )
            return self.make_event("payment_intent.payment_failed", intent)

    def refund_event(self, refund_id: str) -> JSON:
        """The ``charge.refunded`` event for a refund made through the API."""
        with self._lock:
            refund = self._lookup("refund", refund_id)
            return self.make_event("charge.refunded", self._objects[refund["charge"]])

    def transfer_event(self, transfer_id: str, type: str = "transfer.created") -> JSON:
        """A ``transfer.created`` / ``transfer.reversed`` / ``transfer.updated`` event."""
        if type not in ("transfer.created", "transfer.reversed", "transfer.updated"):
            raise FakeStripeUsageError(f"not a transfer event type: {type}")
        with self._lock:
            transfer = self._lookup("transfer", transfer_id)
            if type == "transfer.reversed" and not transfer["amount_reversed"]:
                raise FakeStripeUsageError(f"{transfer_id} has no reversal")
            return self.make_event(type, transfer)

    def _simulation_target(self, intent_id: str) -> JSON:
        intent = self._objects.get(intent_id)
        if intent is None or intent["object"] != "payment_intent":
            raise FakeStripeUsageError(f"no payment intent {intent_id!r}")
        if intent["status"] in ("succeeded", "canceled"):
            raise FakeStripeUsageError(f"{intent_id} is {intent['status']}; it cannot be paid")
        return intent

    def _new_charge(
        self, intent: JSON, payment_method: str | None, failure: tuple[str, str] | None
    ) -> JSON:
        charge_id = _new_id("ch")
        succeeded = failure is None
        charge: JSON = {
            "id": charge_id,
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount"] if succeeded else 0,
            "amount_refunded": 0,
            "balance_transaction": _new_id("txn") if succeeded else None,
            "captured": succeeded,
            "created": int(time.time()),
            "currency": intent["currency"],
            "description": intent["description"],
            "failure_code": None if succeeded else failure[0],
            "failure_message": None if succeeded else failure[1],
            "livemode": False,
            "metadata": dict(intent["metadata"]),
            "paid": succeeded,
            "payment_intent": intent["id"],
            "payment_method": payment_method or _new_id("pm"),
            "refunded": False,
            "refunds": _list_object(f"/v1/charges/{charge_id}/refunds"),
            "status": "succeeded" if succeeded else "failed",
            "transfer_group": intent["transfer_group"],
        }
        self._objects[charge_id] = charge
        return charge

    # ---------------------------------------------------------------- request handling

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like the real API
            # Headers and body in one segment, sent at once: otherwise Nagle's algorithm and
            # delayed ACKs add ~40 ms to every keep-alive request.
            wbufsize = 64 * 1024
            disable_nagle_algorithm = True
            server_version = "FakeStripe"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                reply = fake._handle(self.command, self.path, Headers(self.headers.items()), body)
                if reply is None:  # drop_next_response: say nothing, hang up
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_DELETE = _serve

            # Keep-alive connections outlive serve_forever(); stop() hangs them up.
            def setup(self) -> None:
                super().setup()
                with fake._lock:
                    fake._connections.add(self.connection)

            def finish(self) -> None:
                with fake._lock:
                    fake._connections.discard(self.connection)
                super().finish()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # silence per-request logging; `fake.requests` records everything

        return Handler

    def _handle(self, method: str, target: str, headers: Headers, body: bytes) -> _Reply | None:
        """Answer one request; ``None`` means "hang up without answering"."""
        split = urlsplit(target)
        path = split.path
        pairs = parse_qsl(split.query, keep_blank_values=True)
        if body:
            pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        reply_headers = {
            "Request-Id": _new_id("req", 14),
            "Stripe-Version": headers.get("Stripe-Version", API_VERSION),
        }

        def answer(status: int, payload: JSON) -> _Reply:
            return _Reply(status, json.dumps(payload, indent=2).encode(), reply_headers)

        # Stripe honours idempotency keys on POST only, and echoes the key back.
        key = headers.get("Idempotency-Key") if method == "POST" else None
        if key:
            reply_headers["Idempotency-Key"] = key

        with self._lock:
            params = parse_form(pairs)
            self._requests.append(RecordedRequest(method, path, params, headers))
            try:
                self._authenticate(headers.get("Authorization"))
                handler, path_args = self._route(method, path)
                fault = self._take_fault(method, path)
                if fault is not None and fault.kind == "error":
                    assert fault.body is not None
                    reply = answer(fault.status, fault.body)
                    if key and fault.replay:
                        self._idempotency[key] = _Stored(method, path, params, reply)
                    return reply
                stored = self._idempotency.get(key) if key else None
                if stored is not None:
                    return stored.replay(key or "", method, path, params, reply_headers)
                status, payload = handler(params, *path_args)
                reply = answer(status, self._expand(payload, params.get("expand")))
            except _StripeError as err:
                # Validation and state errors: Stripe saves nothing under the key, so a retry
                # with the same key runs again (and may succeed once the cause is gone).
                return answer(err.status, {"error": err.error})
            except Exception:  # a bug in the fake: make it loud in the client, not a hang
                traceback.print_exc()
                return answer(
                    500, {"error": {"type": "api_error", "message": traceback.format_exc()}}
                )
            if key:
                self._idempotency[key] = _Stored(method, path, params, reply)
            if fault is not None and fault.kind == "drop":
                return None
            return reply

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        fault = next((f for f in self._faults if f.matches(method, path)), None)
        if fault is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
        return fault

    def _authenticate(self, authorization: str | None) -> None:
        if not authorization or not authorization.startswith("Bearer "):
            raise _StripeError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, "
                "or we can help at https://support.stripe.com/.",
            )
        key = authorization.removeprefix("Bearer ").strip()
        valid = key == self.api_key if self.api_key else key.startswith("sk_test_")
        if not valid:
            masked = key[:8] + "*" * max(len(key) - 12, 0) + key[-4:] if len(key) > 12 else key
            raise _StripeError(401, f"Invalid API Key provided: {masked}")

    def _route(self, method: str, path: str) -> tuple[Callable[..., tuple[int, JSON]], list[str]]:
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                return handler, [unquote_plus(group) for group in match.groups()]
        raise _StripeError(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
            "or we can help at https://support.stripe.com/. (Not implemented by FakeStripe.)",
        )

    def _expand(self, payload: JSON, expand: Any) -> JSON:
        """Honour ``expand[]`` one level deep: replace an id field with the object it names."""
        if expand is None:
            return payload
        result = copy.deepcopy(payload)
        for field in expand if isinstance(expand, list) else [expand]:
            value = result.get(field) if isinstance(field, str) else 0
            if isinstance(value, str) and value in self._objects:
                result[field] = copy.deepcopy(self._objects[value])
            elif not (value is None and field in result):  # null stays null, as on Stripe
                raise _StripeError(
                    400, f"This property cannot be expanded ({field}).", param="expand"
                )
        return result

    def _lookup(
        self, object_type: str, object_id: str, param: str = "id", status: int = 404
    ) -> JSON:
        obj = self._objects.get(object_id)
        if obj is None or obj["object"] != object_type:
            raise _StripeError(
                status,
                f"No such {object_type}: '{object_id}'",
                code="resource_missing",
                param=param,
            )
        return obj

    def _retrieve(self, object_type: str) -> Callable[..., tuple[int, JSON]]:
        def retrieve(params: JSON, object_id: str) -> tuple[int, JSON]:
            _check_known(params, {"expand"})
            return 200, self._lookup(object_type, object_id)

        return retrieve

    # ---------------------------------------------------------------- payment intents

    def _create_payment_intent(self, params: JSON) -> tuple[int, JSON]:
        _check_known(
            params,
            {
                "amount",
                "currency",
                "metadata",
                "transfer_group",
                "automatic_payment_methods",
                "description",
                "payment_method_types",
                "receipt_email",
                "statement_descriptor_suffix",
                "expand",
            },
            {"automatic_payment_methods": {"enabled", "allow_redirects"}},
        )
        amount = _int_param(params, "amount", required=True)
        currency = _currency_param(params)
        apm_params = params.get("automatic_payment_methods")
        method_types = params.get("payment_method_types")
        if method_types is not None and not isinstance(method_types, list):
            raise _StripeError(400, "Invalid array", param="payment_method_types")
        automatic: JSON | None = None
        if method_types is None:
            # Since API version 2023-08-16 automatic payment methods are on by default.
            apm = apm_params if isinstance(apm_params, dict) else {}
            enabled = _bool_param(apm, "enabled")
            if enabled is None and apm_params is not None:
                raise _StripeError(
                    400,
                    "Missing required param: automatic_payment_methods[enabled].",
                    code="parameter_missing",
                    param="automatic_payment_methods[enabled]",
                )
            if enabled is not False:
                redirects = _enum_param(apm, "allow_redirects", ("always", "never"))
                automatic = {"allow_redirects": redirects or "always", "enabled": True}
        elif apm_params is not None:
            raise _StripeError(
                400,
                "You may only specify one of these parameters: automatic_payment_methods, "
                "payment_method_types.",
                param="automatic_payment_methods",
            )
        intent_id = _new_id("pi")
        intent: JSON = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": 0,
            "automatic_payment_methods": automatic,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": "automatic_async",
            "client_secret": f"{intent_id}_secret_{_random(25)}",
            "confirmation_method": "automatic",
            "created": int(time.time()),
            "currency": currency,
            "customer": None,
            "description": _str_param(params, "description"),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": _metadata_param(params),
            "next_action": None,
            "payment_method": None,
            "payment_method_types": method_types or ["card"],
            "receipt_email": _str_param(params, "receipt_email"),
            "statement_descriptor_suffix": _str_param(params, "statement_descriptor_suffix"),
            "status": "requires_payment_method",
            "transfer_group": _str_param(params, "transfer_group"),
        }
        self._objects[intent_id] = intent
        return 200, intent

    def _retrieve_payment_intent(self, params: JSON, intent_id: str) -> tuple[int, JSON]:
        _check_known(params, {"expand", "client_secret"})
        return 200, self._lookup("payment_intent", intent_id, param="intent")

    def _update_payment_intent(self, params: JSON, intent_id: str) -> tuple[int, JSON]:
        _check_known(params, {"amount", "description", "metadata", "transfer_group", "expand"})
        intent = self._lookup("payment_intent", intent_id, param="intent")
        amount = _int_param(params, "amount", required=False)
        if amount is not None and intent["status"] in ("succeeded", "canceled"):
            raise self._unexpected_state(intent, "update the amount of")
        metadata = _metadata_param(params, intent["metadata"])
        intent["metadata"] = metadata
        if amount is not None:
            intent["amount"] = amount
        for field in ("description", "transfer_group"):
            if field in params:
                intent[field] = _str_param(params, field) or None
        return 200, intent

    def _cancel_intent(self, params: JSON, intent_id: str) -> tuple[int, JSON]:
        _check_known(params, {"cancellation_reason", "expand"})
        intent = self._lookup("payment_intent", intent_id, param="intent")
        reason = _enum_param(
            params,
            "cancellation_reason",
            ("duplicate", "fraudulent", "requested_by_customer", "abandoned"),
        )
        if intent["status"] not in _CANCELABLE:
            raise self._unexpected_state(intent, "cancel")
        intent.update(status="canceled", canceled_at=int(time.time()), cancellation_reason=reason)
        return 200, intent

    @staticmethod
    def _unexpected_state(intent: JSON, action: str) -> _StripeError:
        allowed = _CANCELABLE if action == "cancel" else _CANCELABLE[:4]
        return _StripeError(
            400,
            f"You cannot {action} this PaymentIntent because it has a status of "
            f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
            f"allows it: {', '.join(allowed)}.",
            code="payment_intent_unexpected_state",
            payment_intent=copy.deepcopy(intent),
        )

    # ---------------------------------------------------------------- refunds

    def _create_refund(self, params: JSON) -> tuple[int, JSON]:
        _check_known(params, {"payment_intent", "charge", "amount", "metadata", "reason", "expand"})
        amount = _int_param(params, "amount", required=False)
        reason = _enum_param(params, "reason", ("duplicate", "fraudulent", "requested_by_customer"))
        metadata = _metadata_param(params)
        if "payment_intent" in params:
            intent_id = _str_param(params, "payment_intent") or ""
            intent = self._lookup("payment_intent", intent_id, "payment_intent", status=400)
            if intent["status"] != "succeeded":
                raise _StripeError(
                    400,
                    f"This PaymentIntent ({intent_id}) does not have a successful charge to "
                    "refund.",
                    code="payment_intent_unexpected_state",
                    param="payment_intent",
                )
            charge = self._objects[intent["latest_charge"]]
        elif "charge" in params:
            charge = self._lookup("charge", _str_param(params, "charge") or "", "charge", 400)
        else:
            raise _StripeError(
                400,
                "One of the following params should be provided for this request: "
                "payment_intent or charge.",
                code="parameter_missing",
            )
        remaining = charge["amount_captured"] - charge["amount_refunded"]
        if remaining <= 0:
            raise _StripeError(
                400,
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
                charge=charge["id"],
            )
        amount = amount or remaining
        if amount > remaining:
            raise _StripeError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                f"({remaining})",
                code="amount_too_large",
                param="amount",
            )
        refund: JSON = {
            "id": _new_id("re"),
            "object": "refund",
            "amount": amount,
            "balance_transaction": _new_id("txn"),
            "charge": charge["id"],
            "created": int(time.time()),
            "currency": charge["currency"],
            "metadata": metadata,
            "payment_intent": charge["payment_intent"],
            "reason": reason,
            "status": "succeeded",
        }
        self._objects[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount_captured"]
        charge["refunds"]["data"].insert(0, copy.deepcopy(refund))  # newest first, as Stripe
        charge["refunds"]["total_count"] += 1
        return 200, refund

    # ---------------------------------------------------------------- transfers

    def _create_transfer(self, params: JSON) -> tuple[int, JSON]:
        _check_known(
            params,
            {
                "amount",
                "currency",
                "destination",
                "transfer_group",
                "metadata",
                "description",
                "source_transaction",
                "expand",
            },
        )
        amount = _int_param(params, "amount", required=True)
        currency = _currency_param(params)
        destination = _str_param(params, "destination", required=True) or ""
        if not re.fullmatch(r"acct_\w+", destination):
            raise _StripeError(
                400,
                f"No such destination: '{destination}'",
                code="resource_missing",
                param="destination",
            )
        source = _str_param(params, "source_transaction")
        if source is not None:
            self._lookup("charge", source, "source_transaction", 400)
        transfer_id = _new_id("tr")
        transfer: JSON = {
            "id": transfer_id,
            "object": "transfer",
            "amount": amount,
            "amount_reversed": 0,
            "balance_transaction": _new_id("txn"),
            "created": int(time.time()),
            "currency": currency,
            "description": _str_param(params, "description"),
            "destination": destination,
            "destination_payment": _new_id("py"),
            "livemode": False,
            "metadata": _metadata_param(params),
            "reversals": _list_object(f"/v1/transfers/{transfer_id}/reversals"),
            "reversed": False,
            "source_transaction": source,
            "source_type": "card",
            "transfer_group": _str_param(params, "transfer_group"),
        }
        self._objects[transfer_id] = transfer
        return 200, transfer

    def _create_reversal(self, params: JSON, transfer_id: str) -> tuple[int, JSON]:
        _check_known(params, {"amount", "metadata", "description", "expand"})
        transfer = self._lookup("transfer", transfer_id)
        metadata = _metadata_param(params)
        amount = _int_param(params, "amount", required=False)
        remaining = transfer["amount"] - transfer["amount_reversed"]
        if remaining <= 0:
            raise _StripeError(400, f"Transfer {transfer_id} has already been fully reversed.")
        amount = amount or remaining
        if amount > remaining:
            raise _StripeError(
                400,
                f"Amount ({amount}) is greater than the amount of the transfer that has not "
                f"been reversed ({remaining}).",
                param="amount",
            )
        reversal: JSON = {
            "id": _new_id("trr"),
            "object": "transfer_reversal",
            "amount": amount,
            "balance_transaction": _new_id("txn"),
            "created": int(time.time()),
            "currency": transfer["currency"],
            "destination_payment_refund": _new_id("pyr"),
            "metadata": metadata,
            "source_refund": None,
            "transfer": transfer_id,
        }
        self._objects[reversal["id"]] = reversal
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        transfer["reversals"]["data"].insert(0, copy.deepcopy(reversal))
        transfer["reversals"]["total_count"] += 1
        return 200, reversal
