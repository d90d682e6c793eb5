"""A fake Stripe API on loopback for Checkout Sessions (create, retrieve, expire) that validates
and replays like Stripe, and builders of the signed webhook events Stripe would POST to us.
localstripe has no Checkout and stripe-mock keeps no state (platform_facts C3)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import deque
from typing import Any
from urllib.parse import parse_qsl

import stripe
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.fakes.loopback import LoopbackServer

API_VERSION = stripe.api_version  # what this SDK asks for; real events carry the account's
MIN_LIFETIME = 30 * 60
MAX_LIFETIME = 24 * 60 * 60
DEFAULT_LIFETIME = MAX_LIFETIME
CREATE_PARAMS = frozenset(
    {
        "mode",
        "line_items",
        "currency",
        "success_url",
        "cancel_url",
        "client_reference_id",
        "customer_email",
        "metadata",
        "payment_intent_data",
        "payment_method_types",
        "expires_at",
        "locale",
    }
)
# Stripe's error `type` for an injected HTTP status.
ERROR_TYPES = {400: "invalid_request_error", 402: "card_error", 409: "idempotency_error"}


class StripeRefusal(Exception):
    """A request Stripe would answer with an error object."""

    def __init__(self, message: str, *, param: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.param = param
        self.status = status


class FakeStripe(LoopbackServer):
    """The fake server. Use as a context manager, or `start()` / `stop()`."""

    def __init__(self, secret_key: str = "sk_test_fake") -> None:
        self.secret_key = secret_key
        super().__init__()
        self._lock = threading.Lock()
        self._sessions: dict[str, dict[str, Any]] = {}
        self._intent_metadata: dict[str, dict[str, str]] = {}  # session id → PI metadata
        self._refunded: dict[str, int] = {}  # session id → pence refunded so far
        self._create_requests: list[dict[str, Any]] = []
        # Idempotency-Key → (method and path, params, status, body) of the first request.
        self._replays: dict[str, tuple[str, dict[str, Any], int, dict[str, Any]]] = {}
        self._failures: deque[int] = deque()

    # -- test controls -------------------------------------------------------------------------

    @property
    def sessions(self) -> dict[str, dict[str, Any]]:
        """A snapshot of the Checkout Sessions, by id, as Stripe would return them."""
        with self._lock:
            return {key: dict(value) for key, value in self._sessions.items()}

    @property
    def create_requests(self) -> list[dict[str, Any]]:
        """The decoded params of every session create that was executed, oldest first."""
        with self._lock:
            return list(self._create_requests)

    @property
    def created_count(self) -> int:
        with self._lock:
            return len(self._sessions)

    def fail_next(self, http_status: int, times: int = 1) -> None:
        """Answer the next `times` API requests with an error of `http_status`. Like an outage
        in front of Stripe's idempotency layer: nothing is saved for the key."""
        with self._lock:
            self._failures.extend([http_status] * times)

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()
            self._intent_metadata.clear()
            self._refunded.clear()
            self._create_requests.clear()
            self._replays.clear()
            self._failures.clear()

    # -- events, as Stripe POSTs them to our webhook ---------------------------------------------

    def complete(
        self, session_id: str, secret: str, *, async_payment: bool = False
    ) -> tuple[bytes, str]:
        """The client pays: the session completes (`unpaid` for a delayed method such as a bank
        debit) and gets a PaymentIntent. Returns the signed `checkout.session.completed`."""
        with self._lock:
            session = self._session(session_id)
            if session["status"] != "open":
                raise ValueError(f"{session_id} is {session['status']}, not open")
            session["status"] = "complete"
            session["payment_status"] = "unpaid" if async_payment else "paid"
            session["payment_intent"] = f"pi_test_{uuid.uuid4().hex[:24]}"
            session["url"] = None  # Stripe drops the link once the session is not open
            snapshot = dict(session)
        return signed_event("checkout.session.completed", snapshot, secret)

    def async_result(self, session_id: str, secret: str, succeeded: bool) -> tuple[bytes, str]:
        """The delayed payment of a completed session clears (or fails)."""
        with self._lock:
            session = self._session(session_id)
            if session["status"] != "complete" or session["payment_status"] != "unpaid":
                raise ValueError(f"{session_id} has no payment pending")
            if succeeded:
                session["payment_status"] = "paid"
            snapshot = dict(session)
        outcome = "succeeded" if succeeded else "failed"
        return signed_event(f"checkout.session.async_payment_{outcome}", snapshot, secret)

    def expire_event(self, session_id: str, secret: str) -> tuple[bytes, str]:
        """The session's time runs out (or it was expired through the API): the signed
        `checkout.session.expired` Stripe sends in both cases."""
        with self._lock:
            session = self._session(session_id)
            if session["status"] == "complete":
                raise ValueError(f"{session_id} is complete and cannot expire")
            session["status"] = "expired"
            session["url"] = None
            snapshot = dict(session)
        return signed_event("checkout.session.expired", snapshot, secret)

    def refund_event(
        self, session_id: str, secret: str, amount: int | None = None
    ) -> tuple[bytes, str]:
        """Refund `amount` pence (default: the rest) of a paid session: the signed
        `charge.refunded`, whose charge carries the PaymentIntent's metadata."""
        with self._lock:
            session = self._session(session_id)
            if session["payment_status"] != "paid":
                raise ValueError(f"{session_id} is not paid")
            total = session["amount_total"]
            refunded = self._refunded.get(session_id, 0)
            amount = total - refunded if amount is None else amount
            if not 0 < amount <= total - refunded:
                raise ValueError(f"cannot refund {amount} of {total - refunded} left")
            self._refunded[session_id] = refunded = refunded + amount
            charge = {
                "id": "ch_test_" + hashlib.sha256(session_id.encode()).hexdigest()[:24],
                "object": "charge",
                "amount": total,
                "amount_captured": total,
                "amount_refunded": refunded,  # cumulative, as Stripe reports it
                "currency": session["currency"],
                "livemode": False,
                "metadata": dict(self._intent_metadata.get(session_id, {})),
                "paid": True,
                "payment_intent": session["payment_intent"],
                "refunded": refunded == total,
                "status": "succeeded",
            }
        return signed_event("charge.refunded", charge, secret)

    # -- the Stripe API ------------------------------------------------------------------------

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/checkout/sessions")
        async def create(request: Request) -> Response:
            params = decode_form((await request.body()).decode())
            return self._answer(request, params, lambda: self._create(params))

        @app.get("/v1/checkout/sessions/{session_id}")
        async def retrieve(session_id: str, request: Request) -> Response:
            return self._answer(request, {}, lambda: dict(self._session(session_id)))

        @app.post("/v1/checkout/sessions/{session_id}/expire")
        async def expire(session_id: str, request: Request) -> Response:
            params = decode_form((await request.body()).decode())
            return self._answer(request, params, lambda: self._expire(session_id))

        return app

    def _answer(self, request: Request, params: dict[str, Any], execute: Any) -> Response:
        """Auth, injected failures and idempotency around one request, as Stripe layers them."""
        if not self._authorised(request):
            return stripe_error(401, "Invalid API Key provided", error_type="invalid_request_error")
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
            if failure is not None:
                return stripe_error(failure, f"Injected HTTP {failure}")
            route = f"{request.method} {request.url.path}"
            key = request.headers.get("idempotency-key") if request.method == "POST" else None
            if key is not None and len(key) > 255:
                return stripe_error(400, "Idempotency keys can be at most 255 characters long.")
            if key is not None and key in self._replays:
                first_route, first_params, status, body = self._replays[key]
                if (first_route, first_params) != (route, params):
                    return stripe_error(
                        400,
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with. Try using a key other than "
                        f"'{key}' if you meant to execute a different request.",
                        error_type="idempotency_error",
                    )
                return JSONResponse(body, status_code=status, headers=_replayed_headers())
            try:
                status, body = 200, execute()
            except StripeRefusal as refusal:
                # Validation failures are not saved against the key: Stripe saves a result only
                # once the endpoint starts executing.
                return stripe_error(refusal.status, str(refusal), param=refusal.param)
            if key is not None:
                self._replays[key] = (route, params, status, body)
        return JSONResponse(body, status_code=status, headers={"Request-Id": _request_id()})

    def _create(self, params: dict[str, Any]) -> dict[str, Any]:
        created = int(time.time())
        validate_create(params, now=created)
        session_id = f"cs_test_{uuid.uuid4().hex}"
        [item] = params["line_items"]
        price = item["price_data"]
        amount = int(price["unit_amount"]) * int(item["quantity"])
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": created,
            "currency": price["currency"],
            "expires_at": int(params.get("expires_at") or created + DEFAULT_LIFETIME),
            "livemode": False,
            "metadata": dict(params.get("metadata") or {}),
            "mode": params["mode"],
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params.get("success_url"),
            "url": f"{self.base_url}/c/pay/{session_id}",
        }
        self._sessions[session_id] = session
        intent = params.get("payment_intent_data") or {}
        self._intent_metadata[session_id] = dict(intent.get("metadata") or {})
        self._create_requests.append(params)
        return dict(session)

    def _expire(self, session_id: str) -> dict[str, Any]:
        session = self._session(session_id)
        if session["status"] != "open":
            raise StripeRefusal(
                f"This Checkout Session is {session['status']}: only Checkout Sessions with a "
                'status in ["open"] can be expired.'
            )
        session["status"] = "expired"
        session["url"] = None
        return dict(session)

    def _session(self, session_id: str) -> dict[str, Any]:
        session = self._sessions.get(session_id)
        if session is None:
            raise StripeRefusal(
                f"No such checkout.session: '{session_id}'", param="session", status=404
            )
        return session

    def _authorised(self, request: Request) -> bool:
        expected = f"Bearer {self.secret_key}".encode()
        received = request.headers.get("authorization", "").encode()
        return hmac.compare_digest(expected, received)


def validate_create(params: dict[str, Any], *, now: int) -> None:
    """Raise `StripeRefusal` for create params Stripe would refuse (the subset we send)."""
    for name in params:
        if name not in CREATE_PARAMS:
            raise StripeRefusal(f"Received unknown parameter: {name}", param=name)
    mode = params.get("mode")
    if mode not in ("payment", "setup", "subscription"):
        raise StripeRefusal("Invalid mode: must be one of payment, setup, or subscription")
    if mode != "payment":
        raise StripeRefusal(f"The fake supports mode=payment only, not {mode}", param="mode")
    items = params.get("line_items")
    if not isinstance(items, list) or not items:
        raise StripeRefusal("line_items is required in payment mode", param="line_items")
    if len(items) != 1:
        raise StripeRefusal("The fake supports one line item", param="line_items")
    _validate_line_item(items[0])
    for url in ("success_url", "cancel_url"):
        value = params.get(url)
        if value is not None and not str(value).startswith(("http://", "https://")):
            raise StripeRefusal("Not a valid URL", param=url)
    if len(str(params.get("client_reference_id") or "")) > 200:
        raise StripeRefusal("client_reference_id is too long", param="client_reference_id")
    _validate_metadata(params.get("metadata"), "metadata")
    intent = params.get("payment_intent_data")
    if intent is not None:
        if not isinstance(intent, dict) or set(intent) - {"metadata", "description"}:
            raise StripeRefusal("Invalid payment_intent_data", param="payment_intent_data")
        _validate_metadata(intent.get("metadata"), "payment_intent_data[metadata]")
    if "expires_at" in params:
        expires_at = _integer(params["expires_at"], "expires_at")
        if expires_at < now + MIN_LIFETIME:
            raise StripeRefusal(
                "The `expires_at` timestamp must be at least 30 minutes from Checkout Session "
                "creation.",
                param="expires_at",
            )
        if expires_at > now + MAX_LIFETIME:
            raise StripeRefusal(
                "The `expires_at` timestamp must be less than 24 hours from Checkout Session "
                "creation.",
                param="expires_at",
            )


def _validate_line_item(item: Any) -> None:
    param = "line_items[0]"
    price = item.get("price_data") if isinstance(item, dict) else None
    if not isinstance(price, dict):
        raise StripeRefusal("You must specify either `price` or `price_data`", param=param)
    currency = price.get("currency")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.islower()):
        raise StripeRefusal("Invalid currency", param=f"{param}[price_data][currency]")
    amount = _integer(price.get("unit_amount"), f"{param}[price_data][unit_amount]")
    # Stripe's minimum charge for GBP is 30p.
    if currency == "gbp" and amount < 30:
        raise StripeRefusal(
            "The Checkout Session's total amount due must add up to at least £0.30 gbp",
            param=f"{param}[price_data][unit_amount]",
        )
    product = price.get("product_data")
    if not isinstance(product, dict) or not product.get("name"):
        raise StripeRefusal(
            "Missing required param: line_items[0][price_data][product_data][name].",
            param=f"{param}[price_data][product_data][name]",
        )
    if _integer(item.get("quantity"), f"{param}[quantity]") < 1:
        raise StripeRefusal("quantity must be at least 1", param=f"{param}[quantity]")


def _validate_metadata(metadata: Any, param: str) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict) or len(metadata) > 50:
        raise StripeRefusal("Metadata can have up to 50 keys", param=param)
    for key, value in metadata.items():
        if len(key) > 40 or not isinstance(value, str) or len(value) > 500:
            raise StripeRefusal(
                "Metadata keys are at most 40 characters and values at most 500", param=param
            )


def _integer(value: Any, param: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeRefusal("Invalid integer", param=param) from None


def decode_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding back into nested values: `a[b][0][c]=v` → {"a": {"b": [{"c":
    "v"}]}}. Values stay strings, as Stripe receives them."""
    root: dict[str, Any] = {}
    for name, value in parse_qsl(body, keep_blank_values=True):
        head, _, rest = name.partition("[")
        keys = [head, *(rest.rstrip("]").split("][") if rest else [])]
        node = root
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    """Dicts keyed 0..n-1 (how arrays are encoded) as lists."""
    if not isinstance(node, dict):
        return node
    node = {key: _lists(value) for key, value in node.items()}
    if node and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node


def stripe_error(
    status: int, message: str, *, param: str | None = None, error_type: str | None = None
) -> JSONResponse:
    """An error response shaped like Stripe's."""
    fallback = "api_error" if status >= 500 else "invalid_request_error"
    error: dict[str, Any] = {
        "message": message,
        "type": error_type or ERROR_TYPES.get(status, fallback),
    }
    if status == 429:
        error["code"] = "rate_limit"
    if status == 404:
        error["code"] = "resource_missing"
    if param:
        error["param"] = param
    return JSONResponse({"error": error}, status_code=status, headers={"Request-Id": _request_id()})


def signed_event(event_type: str, obj: dict[str, Any], secret: str) -> tuple[bytes, str]:
    """A webhook delivery: the event's raw JSON and its `Stripe-Signature` header."""
    event = {
        "id": f"evt_test_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    raw = json.dumps(event).encode()
    return raw, sign(raw, secret)


def sign(raw: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send for `raw` (t=…,v1=HMAC-SHA256 of
    f"{t}.{payload}"), at `timestamp` (default: now)."""
    return stripe.WebhookSignature.generate_signature_header(raw.decode(), secret, timestamp)


def _replayed_headers() -> dict[str, str]:
    return {"Request-Id": _request_id(), "Idempotent-Replayed": "true"}


def _request_id() -> str:
    return f"req_{uuid.uuid4().hex[:14]}"
