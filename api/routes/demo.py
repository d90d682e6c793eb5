"""/demo: a browser page that plays the client's phone and the artist's phone against the real
pipeline. Messages go in through the same signature check and intake as Meta's webhook (signed
when a secret is set); replies are read from the sandbox outbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import select, update

from api.deps import Edge, Refused, Session, verified_stripe, verified_whatsapp
from api.rendering import note, page
from api.stripe_intake import ingest_stripe
from api.whatsapp_intake import ingest_whatsapp
from consultation.money import format_money
from models import (
    CheckoutSessionRow,
    Contact,
    InboundMessage,
    LeadRecord,
    OutboundMessage,
    SystemEvent,
)

router = APIRouter(prefix="/demo", tags=["demo"])
PAGE = Path(__file__).parent.parent / "static" / "demo.html"


class DemoMessage(BaseModel):
    phone: str = Field(pattern=r"^\+?[0-9]{6,15}$")
    text: str = Field(default="", max_length=4096)
    choice_id: str | None = Field(default=None, max_length=256)
    name: str = Field(default="Demo client", max_length=100)


@router.get("", response_class=HTMLResponse)
async def demo_page() -> HTMLResponse:
    return HTMLResponse(PAGE.read_text(encoding="utf-8"))


def delivery_for(message: DemoMessage) -> dict[str, Any]:
    """The message as Meta would deliver it (platform_facts B1–B2)."""
    wa_id = message.phone.lstrip("+")
    body: dict[str, Any] = {
        "from": wa_id,
        "id": f"wamid.demo.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
    }
    if message.choice_id:
        kind = "list_reply" if message.choice_id.startswith("row:") else "button_reply"
        body["type"] = "interactive"
        body["interactive"] = {
            "type": kind,
            kind: {"id": message.choice_id.removeprefix("row:"), "title": message.text[:24]},
        }
    else:
        body["type"] = "text"
        body["text"] = {"body": message.text}
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "DEMO_WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550000000",
                                "phone_number_id": "DEMO",
                            },
                            "contacts": [{"profile": {"name": message.name}, "wa_id": wa_id}],
                            "messages": [body],
                        },
                    }
                ],
            }
        ],
    }


@router.post("/send")
async def send(message: DemoMessage, state: Edge) -> dict[str, Any]:
    raw = json.dumps(delivery_for(message)).encode()
    secret = state.settings.WHATSAPP_APP_SECRET
    signature = (
        "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest() if secret else None
    )
    try:
        await verified_whatsapp(state, raw, signature)
    except Refused as refused:
        raise HTTPException(refused.status, refused.body) from refused
    status, body = await ingest_whatsapp(state, raw)
    if status != 200:
        raise HTTPException(status, body)
    return body


def _outbound(row: OutboundMessage) -> dict[str, Any]:
    message = row.message
    return {
        "seq": row.seq,
        "from": "bot",
        "text": row.body,
        "status": row.status,
        "buttons": message.get("buttons", []),
        "rows": message.get("rows", []),
        "list_button": message.get("list_button", ""),
        "at": row.created_at.timestamp(),
    }


@router.get("/chat")
async def chat(phone: str, session: Session) -> dict[str, Any]:
    wa_id = phone.strip().lstrip("+")
    contact = await session.scalar(select(Contact).where(Contact.wa_id == wa_id))
    if contact is None:
        return {"messages": [], "status": None, "lead_id": None}
    inbound = (
        await session.scalars(
            select(InboundMessage).where(InboundMessage.contact_key == contact.key)
        )
    ).all()
    outbound = (
        await session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.contact_key == contact.key)
            .order_by(OutboundMessage.seq)
        )
    ).all()
    lead = await session.scalar(
        select(LeadRecord)
        .where(LeadRecord.contact_key == contact.key)
        .order_by(LeadRecord.created_at.desc())
        .limit(1)
    )
    messages = [
        {"from": "client", "text": row.payload.get("text", ""), "at": row.received_at.timestamp()}
        for row in inbound
    ] + [_outbound(row) for row in outbound]
    messages.sort(key=lambda m: m["at"])
    return {
        "messages": messages,
        "status": lead.status if lead else None,
        "lead_id": lead.lead_id if lead else None,
        "opted_out": contact.opted_out,
    }


@router.get("/artist")
async def artist(session: Session) -> dict[str, Any]:
    rows = (
        await session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.recipient == "artist")
            .order_by(OutboundMessage.seq.desc())
            .limit(50)
        )
    ).all()
    return {"messages": [_outbound(row) for row in reversed(rows)]}


@router.get("/events")
async def events(session: Session) -> dict[str, Any]:
    """The latest system events, newest first, so failures show up on the demo page."""
    rows = (
        await session.scalars(select(SystemEvent).order_by(SystemEvent.id.desc()).limit(30))
    ).all()
    return {
        "events": [
            {
                "at": row.created_at.timestamp(),
                "level": row.level,
                "type": row.type,
                "lead_id": row.lead_id,
                "detail": row.detail,
            }
            for row in rows
        ]
    }


@router.get("/checkout/{session_id}", response_class=HTMLResponse)
async def checkout_page(session_id: str, session: Session) -> HTMLResponse:
    """The sandbox stand-in for Stripe's hosted checkout page."""
    row = await session.get(CheckoutSessionRow, session_id)
    if row is None:
        return note("Checkout not found", "This payment link is not valid.", 404)
    amount = format_money(row.amount_pence, row.currency)
    if row.status != "open" or row.expires_at <= datetime.now(UTC):
        return note("Link no longer valid", f"This link is {row.status}.", 410)
    return page(
        f"Pay your {amount} deposit",
        "sandbox_checkout.html",
        session_id=row.id,
        amount=amount,
        description=row.description,
    )


@router.post("/checkout/{session_id}/pay", response_class=HTMLResponse)
async def checkout_pay(session_id: str, state: Edge) -> HTMLResponse:
    now = datetime.now(UTC)
    async with state.sessions.begin() as session:
        row = await session.scalar(
            update(CheckoutSessionRow)
            .where(
                CheckoutSessionRow.id == session_id,
                CheckoutSessionRow.status == "open",
                CheckoutSessionRow.expires_at > now,
            )
            .values(status="complete", completed_at=now)
            .returning(CheckoutSessionRow)
        )
    if row is None:
        return note("Link no longer valid", "Nothing was charged.", 410)
    event = {
        "id": f"evt_sandbox_{uuid.uuid4().hex}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(now.timestamp()),
        "livemode": False,
        "data": {
            "object": {
                "id": row.id,
                "object": "checkout.session",
                "status": "complete",
                "payment_status": "paid",
                "amount_total": row.amount_pence,
                "currency": row.currency,
                "client_reference_id": row.lead_id,
                "metadata": {"lead_id": row.lead_id, "workflow_id": row.workflow_id},
                "payment_intent": f"pi_sandbox_{uuid.uuid4().hex[:24]}",
            }
        },
    }
    raw = json.dumps(event).encode()
    stamp = str(int(now.timestamp()))
    secret = state.settings.STRIPE_WEBHOOK_SECRET
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    try:
        status, _ = await ingest_stripe(
            state, await verified_stripe(state, raw, f"t={stamp},v1={digest}")
        )
    except Refused:
        status = 400
    if status != 200:
        return note("Payment not recorded", "Please try again.", 502)
    return note(
        "Thank you!",
        f"Paid {format_money(row.amount_pence, row.currency)}. "
        "Watch the client's phone for the confirmation.",
    )
