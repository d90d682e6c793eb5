"""Provider webhooks: Meta's WhatsApp deliveries and Stripe's events. Each handler is verified by
a dependency (`api/deps.py`), stores what came once, and answers fast; the intake services hand
the rest over to the workflows."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from api.deps import Edge, StripeEvent, WhatsAppDelivery, rate_limited
from api.stripe_intake import ingest_stripe
from api.whatsapp_intake import ingest_whatsapp
from telemetry.metrics import MESSAGES_IN, PAYMENTS, WEBHOOK_OUTCOMES

# Limited before the signature is checked: a flood of forgeries costs no HMAC past the limit.
router = APIRouter(
    prefix="/webhooks", tags=["webhooks"], dependencies=[Depends(rate_limited("webhooks"))]
)


@router.get("/whatsapp")
async def whatsapp_handshake(request: Request, state: Edge) -> PlainTextResponse:
    """Meta's verify handshake when the webhook is subscribed."""
    params = request.query_params
    expected = state.settings.WHATSAPP_VERIFY_TOKEN
    token = params.get("hub.verify_token", "")
    if params.get("hub.mode") == "subscribe" and expected and hmac.compare_digest(token, expected):
        return PlainTextResponse(params.get("hub.challenge", ""))
    return PlainTextResponse("Verification failed", status_code=403)


@router.post("/whatsapp")
async def whatsapp(raw: WhatsAppDelivery, state: Edge) -> JSONResponse:
    status, body = await ingest_whatsapp(state, raw)
    count_whatsapp(status, body)
    return JSONResponse(body, status_code=status)


@router.post("/stripe")
async def stripe(event: StripeEvent, state: Edge) -> JSONResponse:
    status, body = await ingest_stripe(state, event)
    count_stripe(status, body)
    return JSONResponse(body, status_code=status)


# The intake's answer, in the metrics' words (forged deliveries are counted where they are
# refused, in `api/deps.py`).
WHATSAPP_OUTCOMES = {"received": "accepted", "duplicates": "duplicate", "ignored": "ignored",
                     "refused": "refused", "pending": "unavailable"}  # fmt: skip


def count_whatsapp(status: int, body: dict) -> None:
    if status == 400:
        WEBHOOK_OUTCOMES.labels("whatsapp", "malformed").inc()
        return
    for key, outcome in WHATSAPP_OUTCOMES.items():
        if count := body.get(key):
            WEBHOOK_OUTCOMES.labels("whatsapp", outcome).inc(count)
    MESSAGES_IN.inc(body.get("received", 0))


def count_stripe(status: int, body: dict) -> None:
    if status == 400:
        outcome = "malformed"
    elif status == 503:
        outcome = "unavailable"
    elif body.get("duplicate"):
        outcome = "duplicate"
    else:
        outcome = "accepted"
        if body.get("kind") not in (None, "ignored"):
            PAYMENTS.labels(body["kind"]).inc()
    WEBHOOK_OUTCOMES.labels("stripe", outcome).inc()
