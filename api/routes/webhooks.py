"""Provider webhooks: Meta's WhatsApp deliveries and Stripe's events. Each handler is verified by
a dependency (`api/deps.py`), stores what came once, and answers fast; the intake services hand
the rest over to the workflows."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from api.deps import Edge, StripeEvent, WhatsAppDelivery
from api.stripe_intake import ingest_stripe
from api.whatsapp_intake import ingest_whatsapp

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


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
    return JSONResponse(body, status_code=status)


@router.post("/stripe")
async def stripe(event: StripeEvent, state: Edge) -> JSONResponse:
    status, body = await ingest_stripe(state, event)
    return JSONResponse(body, status_code=status)
