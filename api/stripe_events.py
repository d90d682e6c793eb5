"""Stripe webhook deliveries in our terms: check the signature on the raw body, then translate
the event into a `PaymentEvent` the lead workflow understands. No I/O here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import stripe

# Stripe's own default: a delivery signed more than 5 minutes ago is treated as a replay.
TOLERANCE = 300

# checkout.session.completed with payment_status "unpaid" is a delayed method (bank debit):
# the money is not there yet, and an async_payment_succeeded or _failed event follows.
COMPLETED_KINDS = {"paid": "paid", "no_payment_required": "paid", "unpaid": "pending"}
SESSION_KINDS = {
    "checkout.session.async_payment_succeeded": "paid",
    "checkout.session.async_payment_failed": "failed",
    "checkout.session.expired": "expired",
}


# What our tables and Temporal take (provider_events, leads, workflow ids). Stripe's own ids are
# far shorter; a signed event with longer ones (a bug or a test) is refused, never stored cut.
MAX_LENGTHS = {
    "event_id": 255,
    "session_id": 255,
    "payment_intent": 255,
    "lead_id": 64,
    "workflow_id": 128,
    "currency": 3,
}
MAX_AMOUNT = 10**12  # pence; far above any deposit, well inside every integer we store


class BadStripeSignature(Exception):
    """The delivery is not provably from Stripe (or not an event at all): answer 400."""


@dataclass(frozen=True)
class PaymentEvent:
    event_id: str  # dedupe on this: Stripe delivers at least once, in no guaranteed order
    kind: str  # paid | pending | failed | expired | refunded | ignored
    session_id: str | None
    payment_intent: str | None
    lead_id: str | None
    workflow_id: str | None
    amount_pence: int | None  # session total; for refunds, the total refunded so far
    currency: str | None
    created: int  # unix seconds; Stripe's order, since delivery order means nothing


def verify(raw: bytes, header: str | None, secret: str) -> dict[str, Any]:
    """The event in `raw`, if `header` (Stripe-Signature) proves Stripe signed it recently
    with `secret`. Always the raw body: re-encoded JSON no longer matches the signature."""
    try:
        event = stripe.Webhook.construct_event(raw, header, secret, tolerance=TOLERANCE)
    except stripe.SignatureVerificationError as error:
        raise BadStripeSignature(str(error)[:200]) from error
    except (ValueError, AttributeError) as error:
        # Signed but unreadable: not UTF-8 or not JSON (ValueError), or JSON that is not an
        # object (the SDK then fails with AttributeError).
        raise BadStripeSignature(f"not a Stripe event: {type(error).__name__}") from error
    return event.to_dict()


def to_payment_event(event: dict[str, Any]) -> PaymentEvent:
    """What a verified event means for a deposit. Never raises: an event we do not use, or one
    missing our metadata, is still a valid answer (`ignored`, or ids of None)."""
    event_type = _text(event.get("type")) or ""
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    obj = obj if isinstance(obj, dict) else {}
    metadata = obj.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}

    if event_type == "checkout.session.completed":
        kind = COMPLETED_KINDS.get(_text(obj.get("payment_status")) or "", "ignored")
    elif event_type == "charge.refunded":
        kind = "refunded"
    else:
        kind = SESSION_KINDS.get(event_type, "ignored")

    is_session = event_type.startswith("checkout.session.")
    return PaymentEvent(
        event_id=_text(event.get("id")) or "",
        kind=kind,
        session_id=_text(obj.get("id")) if is_session else None,
        payment_intent=_id(obj.get("payment_intent")),
        # A charge has no client_reference_id: its ids come from payment_intent_data.metadata.
        lead_id=_text(metadata.get("lead_id")) or _text(obj.get("client_reference_id")),
        workflow_id=_text(metadata.get("workflow_id")),
        amount_pence=_int(obj.get("amount_refunded" if kind == "refunded" else "amount_total")),
        currency=_text(obj.get("currency")),
        created=_int(event.get("created")) or 0,
    )


def invalid(event: dict[str, Any], payment: PaymentEvent) -> str | None:
    """Why a verified event cannot be taken (answered with 400), or None. Names the field,
    never its value."""
    if not payment.event_id:
        return "no event id"
    if len(str(event.get("type", ""))) > 64:
        return "type too long"
    for name, limit in MAX_LENGTHS.items():
        value = getattr(payment, name)
        if value is not None and len(value) > limit:
            return f"{name} longer than {limit} characters"
    if payment.amount_pence is not None and not 0 <= payment.amount_pence < MAX_AMOUNT:
        return "amount out of range"
    if "\\u0000" in json.dumps(event):
        return "a NUL character, which PostgreSQL cannot store"
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _id(value: Any) -> str | None:
    """An id field, whether Stripe sent the id or (when expanded) the object holding it."""
    return _text(value.get("id")) if isinstance(value, dict) else _text(value)
